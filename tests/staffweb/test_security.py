"""The staff web's guards: sign-in first, CSRF tokens on every POST, headers on every page."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from bot.runtime import runtime
from storage.models import StaffWebSession
from tests.helpers import Chat
from tests.staffweb.helpers import STAFF_USER, Browser, add_staff_member, signed_in

OPEN = {
    "staff.sign_in",
    "staff.sign_in_status",
    "staff.collect",
    "staff.sign_out",
    "staff.static",
    "staff.font",
}


@pytest.fixture
def staff_phone(app, fake_line):
    add_staff_member(app)
    return Chat(app.test_client(), fake_line, STAFF_USER)


def staff_pages(app) -> list[str]:
    """Every staff GET route behind sign-in, its arguments (if any) filled with 1."""
    adapter = app.url_map.bind("localhost")
    pages = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint.startswith("staff.") and rule.endpoint not in OPEN and "GET" in rule.methods:
            pages.append(adapter.build(rule.endpoint, dict.fromkeys(rule.arguments, 1)))
    return pages


def test_every_staff_page_sends_a_browser_without_a_session_to_sign_in(app):
    pages = staff_pages(app)
    assert "/staff/" in pages
    client = app.test_client()
    for path in pages:
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.headers["Location"].startswith("/staff/sign-in"), path
    client.set_cookie("ruamjai_staff_session", "made-up", path="/staff")
    assert client.get("/staff/").status_code == 302


def test_sign_in_and_its_assets_open_without_a_session(app):
    client = app.test_client()
    assert client.get("/staff/sign-in").status_code == 200
    for asset in ("/staff/static/staff.css", "/staff/static/sign_in.js"):
        with client.get(asset) as response:  # files are streamed: close them
            assert response.status_code == 200, asset
    font = client.get("/staff/fonts/sarabun-400.ttf")
    assert font.status_code == 200 and font.mimetype == "font/ttf"
    assert client.get("/staff/fonts/sarabun-100.ttf").status_code == 404


def test_staff_pages_carry_security_headers(app, fake_line, staff_phone):
    browser = Browser(app)
    for response in (browser.open_sign_in(), browser.get("/staff/sign-in/status")):
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "frame-ancestors 'none'" in csp and "unsafe-inline" not in csp
        assert response.headers["X-Content-Type-Options"] == "nosniff"
        assert response.headers["Referrer-Policy"] == "same-origin"
        assert response.headers["Cache-Control"] == "no-store"
    signed_in(app, fake_line, browser, staff_phone)
    page = browser.get("/staff/")
    assert page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    assert "<script>" not in html and "style=" not in html


def test_cookies_are_secure_when_served_over_https(make_app, settings):
    app = make_app(settings.with_(public_base_url="https://ruamjai.example.org"))
    response = Browser(app).open_sign_in()
    assert all("Secure" in c for c in response.headers.getlist("Set-Cookie"))
    plain = Browser(make_app(settings)).open_sign_in()
    assert not any("Secure" in c for c in plain.headers.getlist("Set-Cookie"))


def sessions(app) -> int:
    with runtime(app).session_factory() as session:
        return session.scalar(
            select(func.count(StaffWebSession.id).filter(StaffWebSession.ended_at.is_(None)))
        )


def test_a_missing_or_forged_csrf_token_is_refused_and_changes_nothing(app, fake_line, staff_phone):
    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    for token in ("", "forged-token"):
        response = browser.sign_out(token=token)
        assert response.status_code == 403
        assert sessions(app) == 1
        assert browser.get("/staff/").status_code == 200
    # Another browser's token is not this one's.
    other = Browser(app)
    other.open_sign_in()
    assert browser.sign_out(token=other.token).status_code == 403
    assert sessions(app) == 1
    assert browser.sign_out().status_code == 302
    assert sessions(app) == 0


def test_collecting_without_a_csrf_token_is_refused(app, staff_phone):
    browser = Browser(app)
    browser.open_sign_in()
    browser.token = "forged"
    assert browser.collect().status_code == 403


def test_the_language_switch_keeps_to_the_catalog(app):
    from handlers.catalog import t

    client = app.test_client()
    english = client.get("/staff/sign-in?lang=en").get_data(as_text=True)
    assert t("staffweb.sign_in.title", "en") in english and 'lang="en"' in english
    again = client.get("/staff/sign-in").get_data(as_text=True)  # remembered in a cookie
    assert t("staffweb.sign_in.title", "en") in again
    thai = client.get("/staff/sign-in?lang=th").get_data(as_text=True)
    assert t("staffweb.sign_in.title", "th") in thai


def test_behind_a_proxy_the_limit_counts_the_client_address(make_app, settings):
    from handlers.services.staff_sign_in import CODES_PER_ADDRESS

    app = make_app(settings.with_(proxy_hops=1))

    def from_client(address: str):
        browser = Browser(app, ip="10.0.0.2")  # the load balancer
        browser.headers["X-Forwarded-For"] = address
        return browser.open_sign_in()

    for _ in range(CODES_PER_ADDRESS):
        assert from_client("203.0.113.50").status_code == 200
    assert from_client("203.0.113.50").status_code == 429
    page = from_client("198.51.100.60")
    assert page.status_code == 200


def test_photos_in_object_storage_are_allowed_by_the_pages_image_policy(
    make_app, settings, fake_line, monkeypatch
):
    moto = pytest.importorskip("moto")
    for name, value in {
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "ap-southeast-1",
    }.items():
        monkeypatch.setenv(name, value)
    with moto.mock_aws():
        app = make_app(settings.with_(media_s3_bucket="ruamjai-media"))
        add_staff_member(app)
        browser = Browser(app)
        signed_in(app, fake_line, browser, Chat(app.test_client(), fake_line, STAFF_USER))
        policy = browser.get("/staff/").headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src")).split()
    assert img_src[:2] == ["img-src", "'self'"], policy
    assert [s for s in img_src if s.startswith("https://")] == ["https://ruamjai-media.s3.amazonaws.com"], (
        policy
    )
    assert "default-src 'self'" in policy  # nothing else opened


def test_a_local_media_store_adds_no_other_host_to_the_image_policy(app, fake_line, staff_phone):
    browser = Browser(app)
    signed_in(app, fake_line, browser, staff_phone)
    policy = browser.get("/staff/").headers["Content-Security-Policy"]
    img_src = next(part for part in policy.split(";") if part.strip().startswith("img-src")).split()
    assert all(
        source in ("img-src", "'self'", "data:") or source.startswith("http://localhost")
        for source in img_src
    ), policy
