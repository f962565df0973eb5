"""One way to say an item's label in a language."""

from types import SimpleNamespace

from handlers.catalog import label


def test_label_picks_the_items_own_words_in_the_language():
    kind = SimpleNamespace(label_th="ขยะ", label_en="Waste", name_th="กรุงเทพ", name_en="Bangkok")
    assert label(kind, "th") == "ขยะ"
    assert label(kind, "en") == "Waste"
    assert label(kind, "th", "name") == "กรุงเทพ"
    assert label(kind, "en", "name") == "Bangkok"


def test_any_language_but_thai_gets_english():
    assert label(SimpleNamespace(label_th="ขยะ", label_en="Waste"), "ja") == "Waste"
