"""On a phone (390 × 844 CSS pixels): the header is one line with a menu
button, the menu opens and closes from the keyboard, the language changes
with one press (with or without scripts), wide treasury tables keep their
first column in view, and the treasury's chart texts clear their bars in
the browser's real fonts; axe finds nothing serious or critical.

Screenshots of what was checked are saved under each test's tmp_path
(header-en.png, header-fr.png, menu-open.png, no-script.png,
treasury-table-scrolled.png, charts.png) for a person to look at.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.proposals.helpers import pass_budget
from tests.treasury.factories import ExpenseFactory, IncomeFactory
from treasury.models import INCOME_KINDS
from treasury.templatetags.treasury_tags import money

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PHONE = {"width": 390, "height": 844}


# Every text of every chart against every bar and every other text, with the
# boxes the browser computed for its own fonts (getBBox, in the SVG's units).
CHART_OVERLAPS = """() => {
  const problems = [];
  for (const svg of document.querySelectorAll("svg.chart")) {
    const chart = svg.closest("figure").id;
    const view = svg.viewBox.baseVal;
    const boxes = [];
    for (const el of svg.querySelectorAll("text, rect.chart-bar, rect.chart-allocation")) {
      const b = el.getBBox();
      if (b.width === 0) continue;
      const isText = el.tagName === "text";
      const name = isText ? el.textContent : el.getAttribute("class");
      boxes.push({isText, name, l: b.x, t: b.y, r: b.x + b.width, b: b.y + b.height});
      const outside = b.x < view.x || b.x + b.width > view.x + view.width
        || b.y < view.y || b.y + b.height > view.y + view.height;
      if (isText && outside) problems.push(`${chart}: "${name}" leaves the drawing`);
    }
    for (let i = 0; i < boxes.length; i++) {
      for (let j = i + 1; j < boxes.length; j++) {
        const a = boxes[i], c = boxes[j];
        if (!a.isText && !c.isText) continue;
        // A glyph box includes the font's line gap: a pixel of it may touch.
        if (a.l < c.r && c.l < a.r && a.t + 1 < c.b && c.t + 1 < a.b) {
          problems.push(`${chart}: "${a.name}" overlaps "${c.name}"`);
        }
      }
    }
  }
  return problems;
}"""


@pytest.fixture
def phone(browser):
    context = browser.new_context(viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True)
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def phone_without_scripts(browser):
    context = browser.new_context(
        viewport=PHONE, locale="en-GB", is_mobile=True, has_touch=True, java_script_enabled=False
    )
    context.set_default_timeout(10_000)
    page = context.new_page()
    yield page
    context.close()


@pytest.fixture
def books(community, settings, tmp_path):
    """Income of every kind (so the income table has seven columns), two
    voted budget lines, one expense posted and one awaiting approval."""
    settings.MEDIA_ROOT = tmp_path / "media"
    for n, kind in enumerate(INCOME_KINDS):
        IncomeFactory(kind=kind, amount_cents=123_456 * (n + 1))
    proposal = pass_budget(
        community["alice"],
        list(community.values()),
        lines=[
            {"purpose": "Servers and hosting", "amount_cents": 600_000, "fund": "general"},
            {"purpose": "Meetings and travel", "amount_cents": 150_000, "fund": "general"},
        ],
    )
    servers, meetings = proposal.budget_lines.order_by("pk")
    ExpenseFactory(budget_line=servers, amount_cents=42_000)
    ExpenseFactory(budget_line=meetings, amount_cents=90_000)  # above the approval threshold
    return proposal


def set_language(page, base_url: str, language: str) -> None:
    page.context.add_cookies([{"name": "django_language", "value": language, "url": base_url}])


def box(locator) -> dict:
    found = locator.bounding_box()
    assert found is not None, f"{locator} is not displayed"
    return found


def serious(page) -> list[str]:
    violations = Axe().run(page).response["violations"]
    return [
        f"{v['id']}: {v['help']} at {[n['target'] for n in v['nodes'][:3]]}"
        for v in violations
        if v.get("impact") in ("serious", "critical")
    ]


def header_parts(page):
    header = page.locator("header.site-header")
    return {
        "header": header,
        "name": header.locator(".site-name a"),
        "language": header.locator(".language-switcher button"),
        "menu": page.get_by_role("button", name="Menu"),
        "nav": page.locator("#site-nav"),
    }


@pytest.mark.parametrize("language", ["en", "fr"])
def test_phone_header_is_one_line_with_the_menu_button(
    daphne_server, phone, community, tmp_path, language
):
    set_language(phone, daphne_server.url, language)
    phone.goto(f"{daphne_server.url}/")
    parts = header_parts(phone)
    header, name, switch, menu = (box(parts[k]) for k in ("header", "name", "language", "menu"))

    assert parts["nav"].is_hidden()
    assert menu["height"] >= 44  # a finger-sized target
    # One line: the name, the other language and the menu button side by side.
    for item in (name, switch):
        middle = item["y"] + item["height"] / 2
        assert menu["y"] <= middle <= menu["y"] + menu["height"]
    assert name["x"] + name["width"] <= switch["x"] and switch["x"] + switch["width"] <= menu["x"]
    assert menu["x"] + menu["width"] <= PHONE["width"]
    # ...and nothing more: the header is the button's height and its padding.
    assert header["height"] <= menu["height"] + 24
    line_height = parts["name"].evaluate("el => parseFloat(getComputedStyle(el).lineHeight)")
    assert name["height"] < 1.5 * line_height  # the name never wraps

    phone.screenshot(path=tmp_path / f"header-{language}.png", clip={**header, "y": 0})


def test_menu_opens_and_closes_from_the_keyboard(daphne_server, phone, community, tmp_path):
    phone.goto(f"{daphne_server.url}/")
    parts = header_parts(phone)
    menu, nav = parts["menu"], parts["nav"]
    assert menu.get_attribute("aria-controls") == "site-nav"
    assert menu.get_attribute("aria-expanded") == "false"

    # Skip link, the site's name, the other language, then the menu button.
    for _ in range(4):
        phone.keyboard.press("Tab")
    assert menu.evaluate("el => el === document.activeElement")
    phone.keyboard.press("Enter")
    assert menu.get_attribute("aria-expanded") == "true"
    assert nav.is_visible()
    phone.screenshot(path=tmp_path / "menu-open.png")
    phone.keyboard.press("Tab")
    assert phone.evaluate("document.activeElement.textContent.trim()") == "Home"

    phone.keyboard.press("Escape")
    assert menu.get_attribute("aria-expanded") == "false"
    assert nav.is_hidden()
    assert menu.evaluate("el => el === document.activeElement")

    phone.keyboard.press("Space")
    assert menu.get_attribute("aria-expanded") == "true" and nav.is_visible()
    nav.get_by_role("link", name="Treasury").click()
    phone.wait_for_url(f"{daphne_server.url}/treasury/")


def test_language_changes_with_one_press(daphne_server, phone, community):
    phone.goto(f"{daphne_server.url}/treasury/")
    switch = phone.get_by_role("button", name="Afficher ce site en français")
    # Shown by its own name, announced in its own language.
    assert switch.locator('[aria-hidden="true"]').inner_text() == "Français"
    assert switch.get_attribute("lang") == "fr"

    with phone.expect_request(lambda r: r.url.endswith("/i18n/setlang/")) as posted:
        switch.click()
    assert posted.value.method == "POST"
    assert "csrfmiddlewaretoken=" in posted.value.post_data
    phone.wait_for_load_state()
    assert phone.url == f"{daphne_server.url}/treasury/"  # back on the same page
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert phone.get_by_role("heading", level=1).inner_text() == "Trésorerie publique"

    phone.get_by_role("button", name="Show this site in English").click()
    phone.wait_for_load_state()
    assert phone.locator("html").get_attribute("lang") == "en"


def test_without_scripts_the_menu_is_shown_and_the_language_is_one_press(
    daphne_server, phone_without_scripts, community, tmp_path
):
    page = phone_without_scripts
    page.goto(f"{daphne_server.url}/")
    parts = header_parts(page)
    assert parts["menu"].is_hidden()
    assert parts["nav"].is_visible()
    nav_top = box(parts["nav"])["y"]
    assert nav_top >= box(parts["language"])["y"] + box(parts["language"])["height"]
    page.screenshot(path=tmp_path / "no-script.png")

    page.get_by_role("button", name="Afficher ce site en français").click()
    page.wait_for_load_state()
    assert page.locator("html").get_attribute("lang") == "fr"


def test_phone_pages_have_no_serious_accessibility_violations(daphne_server, phone, books):
    failures = {}
    for language in ("en", "fr"):
        set_language(phone, daphne_server.url, language)
        for path in ("/", "/treasury/"):
            phone.goto(daphne_server.url + path)
            failures[f"{language} {path}"] = serious(phone)
            phone.get_by_role("button", name="Menu").click()
            phone.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")
            failures[f"{language} {path}, menu and tables open"] = serious(phone)
    assert {k: v for k, v in failures.items() if v} == {}


def test_wide_treasury_tables_keep_their_first_column_in_view(
    daphne_server, phone, books, tmp_path
):
    phone.goto(f"{daphne_server.url}/treasury/")
    wrapper = phone.locator(".table-wrap", has=phone.locator("#income-caption"))
    assert wrapper.evaluate("el => el.scrollWidth > el.clientWidth + 100")  # truly wide
    # The grand total closes the last column.
    grand_total = sum(123_456 * (n + 1) for n in range(len(INCOME_KINDS)))
    assert wrapper.locator("tfoot td").last.inner_text() == money(grand_total)
    first = wrapper.locator("tbody tr").first.locator("th")
    later = wrapper.locator("tbody tr").first.locator("td").nth(2)
    before_first, before_later = box(first)["x"], box(later)["x"]

    # Scrolled as a thumb or a keyboard would (the wrapper is focusable).
    wrapper.focus()
    for _ in range(6):
        phone.keyboard.press("ArrowRight")
    wrapper.evaluate("el => { el.scrollLeft = el.scrollWidth; }")
    scrolled = wrapper.evaluate("el => el.scrollLeft")
    assert scrolled > 100
    assert box(later)["x"] == pytest.approx(before_later - scrolled, abs=1)
    assert box(first)["x"] == pytest.approx(before_first, abs=1)  # still in view
    assert box(first)["x"] >= box(wrapper)["x"] - 1
    # The sticky column is painted over the cells sliding under it.
    covering = phone.evaluate(
        "([x, y]) => document.elementFromPoint(x, y).closest('th, td').tagName",
        [box(first)["x"] + 5, box(first)["y"] + box(first)["height"] / 2],
    )
    assert covering == "TH"
    # A page screenshot: an element screenshot scrolls the page itself first.
    phone.screenshot(path=tmp_path / "treasury-table-scrolled.png", clip=box(wrapper))


def test_chart_texts_clear_their_bars_in_the_browsers_fonts(daphne_server, phone, books, tmp_path):
    phone.goto(f"{daphne_server.url}/treasury/")
    problems = phone.evaluate(CHART_OVERLAPS)
    phone.locator("#chart-flows").screenshot(path=tmp_path / "charts.png")
    phone.locator("#chart-budget").screenshot(path=tmp_path / "chart-budget.png")
    assert phone.locator("svg.chart").count() == 2
    assert problems == []
