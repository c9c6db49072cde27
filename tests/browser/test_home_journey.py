"""First journey: a resident opens the home page on a phone, in Vietnamese, then in English."""
from __future__ import annotations

from playwright.sync_api import expect


def test_home_page_in_both_languages_on_a_phone(live_server, page):
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert page.get_by_role("heading", level=1).inner_text().startswith("Thư viện số")
    assert page.get_by_text("Thư viện Trường THCS Cát Hải").is_visible()
    # Nothing overflows a 360 px screen.
    assert page.evaluate("document.documentElement.scrollWidth") <= 360

    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert page.get_by_role("heading", name="Our libraries").is_visible()
    assert page.get_by_role("link", name="Trang chủ").count() == 0
    page.goto(live_server + "/")
    assert page.locator("html").get_attribute("lang") == "en"  # the choice is remembered


def test_sign_in_and_out_in_the_browser(live_server, page):
    page.goto(live_server + "/login")
    page.get_by_label("Tên đăng nhập").fill("thuthu")
    page.get_by_label("Mật khẩu").fill("hoclieu-demo")
    page.get_by_role("button", name="Đăng nhập").click()
    expect(page.get_by_role("button", name="Đăng xuất (thuthu)")).to_be_visible()
    page.get_by_role("button", name="Đăng xuất (thuthu)").click()
    expect(page.get_by_text("Bạn đã đăng xuất.")).to_be_visible()


def test_switching_language_keeps_the_search_and_its_filters(live_server, page):
    page.goto(live_server + "/search?q=lịch+sử&f=library:TH-CATBA")
    chip = page.locator(".chips a").first
    expect(chip).to_contain_text("Thư viện Trường Tiểu học Cát Bà")  # the library by name, not its code
    page.get_by_role("link", name="English").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "en"
    assert "q=l%E1%BB%8Bch+s%E1%BB%AD" in page.url and "f=library%3ATH-CATBA" in page.url
    expect(page.locator("input[name=q]").first).to_have_value("lịch sử")
    expect(page.locator(".chips a").first).to_contain_text("Thư viện Trường Tiểu học Cát Bà")
