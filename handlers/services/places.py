"""Where each province is, for checking where a photo was taken: the centre of its capital
district (อำเภอเมือง; Bangkok: its city centre), by province code (geothai's, which has no
coordinates).

Source: the countries-states-cities database (github.com/dr5hn/countries-states-cities-database,
its cities of Thailand, GeoNames-derived), rounded to 0.01° (about 1 km): ample for "far away".
"""

from __future__ import annotations

import math

# A photo further than this from its province's capital is flagged: the farthest corners of the
# largest provinces (Tak's north, Kanchanaburi's west) are some 200 km from their capitals, while
# a photo from another part of the country is further (Chiang Mai for Khon Kaen: about 480 km).
FAR_KM = 250.0

CAPITALS: dict[str, tuple[float, float]] = {
    "10": (13.75, 100.50),  # Bangkok: Bangkok
    "11": (13.57, 100.65),  # Samut Prakan: Amphoe Mueang Samut Prakan
    "12": (13.86, 100.49),  # Nonthaburi: Amphoe Mueang Nonthaburi
    "13": (13.99, 100.54),  # Pathum Thani: Amphoe Mueang Pathum Thani
    "14": (14.35, 100.58),  # Phra Nakhon Si Ayutthaya: Phra Nakhon Si Ayutthaya
    "15": (14.58, 100.44),  # Ang Thong: Amphoe Mueang Ang Thong
    "16": (14.80, 100.65),  # Lop Buri: Lop Buri
    "17": (14.90, 100.40),  # Sing Buri: Amphoe Mueang Sing Buri
    "18": (15.19, 100.14),  # Chai Nat: Amphoe Mueang Chainat
    "19": (14.50, 100.94),  # Saraburi: Amphoe Mueang Sara Buri
    "20": (13.34, 101.00),  # Chon Buri: Mueang Chonburi District
    "21": (12.72, 101.34),  # Rayong: Amphoe Mueang Rayong
    "22": (12.60, 102.12),  # Chanthaburi: Amphoe Mueang Chanthaburi
    "23": (12.27, 102.61),  # Trat: Amphoe Mueang Trat
    "24": (13.72, 101.02),  # Chachoengsao: Amphoe Mueang Chachoengsao
    "25": (14.09, 101.40),  # Prachin Buri: Amphoe Mueang Prachin Buri
    "26": (14.28, 101.23),  # Nakhon Nayok: Amphoe Mueang Nakhon Nayok
    "27": (13.93, 102.11),  # Sa Kaeo: Amphoe Mueang Sa Kaeo
    "30": (14.96, 102.09),  # Nakhon Ratchasima: Amphoe Mueang Nakhon Ratchasima
    "31": (14.94, 103.06),  # Buri Ram: Amphoe Mueang Buriram
    "32": (14.88, 103.51),  # Surin: Amphoe Mueang Surin
    "33": (15.08, 104.35),  # Si Sa Ket: Amphoe Mueang Sisaket
    "34": (15.30, 104.83),  # Ubon Ratchathani: Amphoe Mueang Ubon Ratchathani
    "35": (15.86, 104.18),  # Yasothon: Amphoe Mueang Yasothon
    "36": (15.81, 102.03),  # Chaiyaphum: Chaiyaphum
    "37": (15.88, 104.64),  # Amnat Charoen: Amphoe Mueang Amnat Charoen
    "38": (18.30, 103.64),  # Bueng Kan: Amphoe Mueang Bueng Kan
    "39": (17.16, 102.40),  # Nong Bua Lam Phu: Amphoe Mueang Nong Bua Lamphu
    "40": (16.46, 102.81),  # Khon Kaen: Amphoe Mueang Khon Kaen
    "41": (17.39, 102.79),  # Udon Thani: Amphoe Mueang Udon Thani
    "42": (17.54, 101.72),  # Loei: Amphoe Mueang Loei
    "43": (17.85, 102.79),  # Nong Khai: Amphoe Mueang Nong Khai
    "44": (16.12, 103.31),  # Maha Sarakham: Amphoe Mueang Maha Sarakham
    "45": (16.01, 103.62),  # Roi Et: Amphoe Mueang Roi Et
    "46": (16.51, 103.55),  # Kalasin: Amphoe Mueang Kalasin
    "47": (17.16, 104.11),  # Sakon Nakhon: Amphoe Mueang Sakon Nakhon
    "48": (17.32, 104.68),  # Nakhon Phanom: Amphoe Mueang Nakhon Phanom
    "49": (16.55, 104.65),  # Mukdahan: Amphoe Mueang Mukdahan
    "50": (18.79, 98.97),  # Chiang Mai: Amphoe Mueang Chiang Mai
    "51": (18.55, 99.06),  # Lamphun: Amphoe Mueang Lamphun
    "52": (18.39, 99.54),  # Lampang: Amphoe Mueang Lampang
    "53": (17.68, 100.20),  # Uttaradit: Amphoe Mueang Uttaradit
    "54": (18.12, 100.26),  # Phrae: Amphoe Mueang Phrae
    "55": (18.89, 100.67),  # Nan: Amphoe Mueang Nan
    "56": (19.15, 99.87),  # Phayao: Amphoe Mueang Phayao
    "57": (19.91, 99.77),  # Chiang Rai: Amphoe Mueang Chiang Rai
    "58": (19.29, 98.01),  # Mae Hong Son: Amphoe Mueang Mae Hong Son
    "60": (15.72, 100.10),  # Nakhon Sawan: Amphoe Mueang Nakhon Sawan
    "61": (15.41, 100.03),  # Uthai Thani: Amphoe Mueang Uthai Thani
    "62": (16.43, 99.49),  # Kamphaeng Phet: Amphoe Mueang Kamphaeng Phet
    "63": (16.88, 99.17),  # Tak: Amphoe Mueang Tak
    "64": (17.02, 99.78),  # Sukhothai: Amphoe Mueang Sukhothai
    "65": (16.84, 100.27),  # Phitsanulok: Amphoe Mueang Phitsanulok
    "66": (16.41, 100.35),  # Phichit: Amphoe Mueang Phichit
    "67": (16.38, 101.18),  # Phetchabun: Amphoe Mueang Phetchabun
    "70": (13.55, 99.78),  # Ratchaburi: Amphoe Mueang Ratchaburi
    "71": (14.07, 99.33),  # Kanchanaburi: Amphoe Mueang Kanchanaburi
    "72": (14.49, 100.07),  # Suphan Buri: Amphoe Mueang Suphan Buri
    "73": (13.82, 100.02),  # Nakhon Pathom: Amphoe Mueang Nakhon Pathom
    "74": (13.53, 100.25),  # Samut Sakhon: Amphoe Mueang Samut Sakhon
    "75": (13.40, 100.00),  # Samut Songkhram: Amphoe Mueang Samut Songkhram
    "76": (13.08, 99.97),  # Phetchaburi: Amphoe Mueang Phetchaburi
    "77": (11.87, 99.74),  # Prachuap Khiri Khan: Amphoe Mueang Prachuap Khiri Khan
    "80": (8.44, 99.99),  # Nakhon Si Thammarat: Amphoe Mueang Nakhon Si Thammarat
    "81": (8.16, 98.87),  # Krabi: Amphoe Mueang Krabi
    "82": (8.49, 98.51),  # Phang-nga: Amphoe Mueang Phangnga
    "83": (7.86, 98.37),  # Phuket: Amphoe Mueang Phuket
    "84": (9.10, 99.33),  # Surat Thani: Amphoe Mueang Surat Thani
    "85": (9.86, 98.62),  # Ranong: Amphoe Mueang Ranong
    "86": (10.46, 99.11),  # Chumphon: Amphoe Mueang Chumphon
    "90": (7.11, 100.61),  # Songkhla: Amphoe Mueang Songkhla
    "91": (6.62, 100.07),  # Satun: Amphoe Mueang Satun
    "92": (7.61, 99.62),  # Trang: Amphoe Mueang Trang
    "93": (7.60, 100.07),  # Phatthalung: Amphoe Mueang Phatthalung
    "94": (6.86, 101.27),  # Pattani: Amphoe Mueang Pattani
    "95": (6.54, 101.25),  # Yala: Amphoe Mueang Yala
    "96": (6.39, 101.81),  # Narathiwat: Amphoe Mueang Narathiwat
}


def km_between(a: tuple[float, float], b: tuple[float, float]) -> float:
    """Great-circle distance in km between two (latitude, longitude) points (haversine)."""
    lat1, lon1, lat2, lon2 = map(math.radians, (*a, *b))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * 6371.0 * math.asin(math.sqrt(h))


def km_from_province(province_code: str, point: tuple[float, float]) -> float | None:
    """How far `point` is from the province's capital; None for an unknown province code."""
    capital = CAPITALS.get(province_code)
    return None if capital is None else km_between(capital, point)
