"""The dashboard in a real headless Chromium (Debian's), driven by Playwright, over loopback HTTP.

Skipped only when chromium is missing (the playwright package comes with the test extra).
Screenshots of the main pages go to tests/artifacts/ (gitignored) for people to look at.
"""

from __future__ import annotations

import shutil
import threading
from pathlib import Path

import admin_demo as demo
import pytest
from playwright.sync_api import sync_playwright
from werkzeug.serving import make_server

from bot.app import create_app

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
ARTIFACTS = Path(__file__).resolve().parents[1] / "artifacts"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--disable-component-update", "--disable-sync"]

pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)


@pytest.fixture
def server(runtime, ids):
    app = create_app(runtime=runtime)
    app.config["LIANXIN_TODAY"] = demo.TODAY
    httpd = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_port}"
    finally:
        httpd.shutdown()
        thread.join(timeout=10)
        httpd.server_close()


@pytest.fixture(scope="module")
def browser():
    manager = sync_playwright().start()
    chromium = manager.chromium.launch(executable_path=CHROMIUM, args=ARGS)
    try:
        yield chromium
    finally:
        chromium.close()
        manager.stop()


def _page(browser, base: str):
    context = browser.new_context(base_url=base, accept_downloads=True, locale="zh-CN",
                                  viewport={"width": 1280, "height": 900})
    return context.new_page()


def _shot(page, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)


def _log_in(page, username: str) -> None:
    page.goto("/admin/login")
    page.fill("input[name=username]", username)
    page.fill("input[name=password]", demo.PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/admin/")


def test_township_account_sees_its_township_and_is_refused_elsewhere(browser, server, ids):
    page = _page(browser, server)
    page.goto("/admin/")
    assert "/admin/login" in page.url
    _shot(page, "login")
    _log_in(page, "anding")
    assert page.inner_text("#t-persons") == "5"
    assert "1/3（33%）" in page.inner_text(f"tr[data-village='{ids['wuli']}']")
    _shot(page, "overview-township")

    response = page.goto(f"/admin/persons/{ids['huang']}")
    assert response.status == 404
    assert "不在您的管辖范围" in page.inner_text("main")
    _shot(page, "refused-other-township")

    page.goto(f"/admin/persons/{ids['zhang']}")
    assert "158****0001" in page.inner_text("#phone")
    _shot(page, "person")
    page.goto("/admin/needs")
    _shot(page, "needs")
    page.goto("/admin/officials")
    _shot(page, "officials")
    page.context.close()


def test_county_account_sees_every_township(browser, server, ids):
    page = _page(browser, server)
    _log_in(page, "pingjiang")
    assert page.inner_text("#t-persons") == "7"
    townships = page.inner_text("#townships")
    assert "安定镇" in townships and "三市镇" in townships
    _shot(page, "overview-county")
    assert page.goto(f"/admin/persons/{ids['huang']}").status == 200
    assert "15812340006" in page.inner_text("#phone")  # this account may see full numbers
    page.context.close()


def test_a_form_without_its_csrf_token_is_refused(browser, server, ids):
    page = _page(browser, server)
    _log_in(page, "anding")
    page.goto(f"/admin/needs/{ids['need_zhang']}")
    page.eval_on_selector("#need-form input[name=csrf_token]", "el => el.remove()")
    page.select_option("#need-form select[name=status]", "in_progress")
    with page.expect_navigation():
        page.click("#need-form button")
    assert "提交被拒绝" in page.inner_text("main")
    _shot(page, "csrf-refused")

    page.goto(f"/admin/needs/{ids['need_zhang']}")
    page.select_option("#need-form select[name=status]", "in_progress")
    page.fill("#need-form textarea[name=note]", "已联系辅具中心")
    with page.expect_navigation():
        page.click("#need-form button")
    assert page.inner_text("#need-status") == "办理中"
    _shot(page, "need-updated")
    page.context.close()


def test_coverage_matches_the_downloaded_ledger_and_a_bad_roster_is_refused(
    browser, server, ids, tmp_path
):
    from openpyxl import load_workbook

    page = _page(browser, server)
    _log_in(page, "pingjiang")
    page.goto("/admin/?period=quarter")
    visited = int(page.inner_text("#t-visit-count").split("/")[0])

    page.goto("/admin/data")
    _shot(page, "data")
    page.select_option("#export-form select[name=period]", "quarter")
    with page.expect_download() as download:
        page.click("#export-contacts")
    path = tmp_path / "ledger.xlsx"
    download.value.save_as(path)
    workbook = load_workbook(path, read_only=True)
    try:
        rows = list(workbook.active.iter_rows(values_only=True))
    finally:
        workbook.close()
    header = rows[0]
    person, channel, status = (header.index(h) for h in ("姓名", "方式", "情况"))
    home = {r[person] for r in rows[1:] if r[channel] == "入户" and r[status] != "未联系上"}
    assert visited == len(home) == 3  # 张三, 陈六, 黄八

    roster = tmp_path / "roster.csv"
    roster.write_text(
        "姓名,性别,出生日期,残疾类别,残疾等级,县(区),乡镇(街道),村(社区)\n"
        "赵六,男,1970-03-05,肢体,二级,平江县,安定镇,五里村\n"
        "钱七,男,1970-13-45,肢体,二级,平江县,安定镇,五里村\n", encoding="utf-8")
    page.goto("/admin/data")
    page.set_input_files("#import-form input[type=file]", str(roster))
    with page.expect_navigation():
        page.click("#import-form button")
    assert "未写入任何数据" in page.inner_text("#import-message")
    assert "第 3 行" in page.inner_text("#import-errors")
    _shot(page, "import-refused")
    page.context.close()


def test_mobile_due_page_on_a_phone_sized_screen(browser, server, ids):
    from bot.due_links import make_due_token

    context = browser.new_context(base_url=server, viewport={"width": 390, "height": 844},
                                  device_scale_factor=2, is_mobile=True)
    page = context.new_page()
    page.goto(f"/m/due/{make_due_token('test-secret', ids['zhao'])}")
    assert "赵红梅 的待联系名单" in page.inner_text("header")
    assert "李四" in page.inner_text("main")
    _shot(page, "mobile-due")
    assert page.goto("/m/due/forged").status == 403
    context.close()


def test_needs_board_keeps_names_and_dates_on_one_line_at_1366px(browser, server, runtime, ids):
    import datetime as dt

    from storage.models import Need

    long = "我们村的干部从来不来看我们，打电话也不接，家里老人身体不好，轮椅也坏了好几个月了，希望领导帮忙解决"
    with runtime.sessions.begin() as s:
        need = s.get(Need, ids["need_zhang"])
        need.text = long
        need.created_at = dt.datetime(2026, 12, 5, 1, 7)  # 09:07 in Asia/Shanghai
    context = browser.new_context(base_url=server, locale="zh-CN", viewport={"width": 1366, "height": 900})
    page = context.new_page()
    _log_in(page, "pingjiang")
    page.goto("/admin/needs?status=all")
    _shot(page, "needs-1366")
    # Lines each cell is rendered on (distinct tops of its text's boxes): every cell but 内容 has one.
    lines = page.eval_on_selector_all("#needs tbody tr", """rows => rows.map(row => [...row.cells].map(cell => {
        const range = document.createRange();
        range.selectNodeContents(cell);
        const tops = [...range.getClientRects()].map(box => box.top).sort((a, b) => a - b);
        return tops.filter((top, i) => i === 0 || top - tops[i - 1] > 10).length;  // a tag's padding is no line
    }))""")
    assert len(lines) == 3 and all(len(cells) == 9 for cells in lines)
    assert all(n == 1 for cells in lines for n in cells[:8]), lines
    assert max(cells[8] for cells in lines) >= 1
    page.goto(f"/admin/needs/{ids['need_zhang']}")
    shown = page.inner_text("main")
    assert "2026-12-05 09:07" in shown and "UTC" not in shown
    context.close()
