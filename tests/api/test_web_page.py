"""The web chat page in a real headless browser (Debian's chromium, driven by Playwright)."""

from __future__ import annotations

import shutil
from pathlib import Path

import httpx
import pytest
from support.server import running_server
from support.settings import make_settings

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
pytestmark = pytest.mark.skipif(CHROMIUM is None, reason="no chromium on PATH (apt-get install chromium)")
HOSTILE = {"title": "<b>Bold</b> claims", "url": "https://example.org/x",
           "text": "The minister said <img src=x onerror=\"window.pwned=1\"> nothing. "
                   "<script>window.pwned=2</script> The budget of Atlantis is 42 coins."}


@pytest.fixture(scope="module")
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        launched = p.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        yield launched
        launched.close()


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    with running_server(make_settings(tmp_path_factory.mktemp("web-index"))) as url:
        yield url


def _ask(page, question: str) -> None:
    page.fill("#question", question)
    page.click("#ask")


def test_ask_see_a_cited_quote_open_it_and_see_the_highlight(browser, site, tmp_path: Path):
    page = browser.new_page()
    page.goto(site)
    page.wait_for_selector("#articles li")
    assert page.locator("#articles li").count() == 5
    _ask(page, "When does Stoltenberg's contract expire?")
    quote = page.wait_for_selector(".turn blockquote.answer")
    chip = page.locator(".turn blockquote.answer .chip").first
    doc_id, start, end = chip.get_attribute("data-doc"), int(chip.get_attribute("data-start")), int(chip.get_attribute("data-end"))
    assert "contract expires on October 1" in quote.text_content()
    chip.click()
    mark = page.wait_for_selector("#article-text mark#highlight")
    text = httpx.get(f"{site}/v1/documents/{doc_id}").json()["text"]
    assert mark.text_content() == text[start:end]
    assert page.evaluate("""() => { const r = document.getElementById('highlight').getBoundingClientRect();
                                   const v = document.querySelector('.viewer').getBoundingClientRect();
                                   return r.top >= v.top && r.bottom <= v.bottom; }""")
    page.screenshot(path=str(tmp_path / "page.png"))


def test_follow_up_shows_how_it_was_understood(browser, site):
    page = browser.new_page()
    page.goto(site)
    _ask(page, "Who is Hungary's foreign minister?")
    page.wait_for_selector(".turn:nth-child(1) blockquote")
    _ask(page, "What did he say about supporting Rutte?")
    resolved = page.wait_for_selector(".turn:nth-child(2) .resolved:has-text('Understood as')")
    assert " he " not in resolved.text_content()


def test_a_quote_in_another_language_than_the_question_says_so(browser, site):
    question = "What option did 鲁特 promise to 匈牙利 in the letter?"  # English, with words only the Chinese article holds
    expected = httpx.post(f"{site}/v1/ask", json={"question": question, "top_k": 1}).json()
    assert expected["lang"] == "en" and expected["answers"][0]["lang"] == "zh"
    page = browser.new_page()
    page.goto(site)
    _ask(page, question)
    quote = page.wait_for_selector(".turn blockquote.answer")
    assert expected["answers"][0]["text"] in quote.text_content() and "quoted in Chinese" in quote.text_content()


def test_article_text_is_shown_as_text_never_run(browser, site):
    r = httpx.post(f"{site}/v1/documents", json=HOSTILE)
    assert r.status_code == 201
    page = browser.new_page()
    page.goto(site)
    _ask(page, "What is the budget of Atlantis?")
    page.wait_for_selector(".turn blockquote.answer")
    page.locator(".chip", has_text="Bold").first.click()
    page.wait_for_selector("#article-text mark")
    assert page.evaluate("() => window.pwned") is None
    assert page.locator("#article-text img, #article-text script, .turn img, #article-title b").count() == 0
    assert "<b>Bold</b> claims" in page.text_content("#article-title")


def test_abstention_is_shown_with_related_passages(browser, tmp_path):
    with running_server(make_settings(tmp_path / "index", answer_threshold=1.0)) as url:
        page = browser.new_page()
        page.goto(url)
        _ask(page, "What is the capital of Australia?")
        page.wait_for_selector(".turn .abstain")
        assert page.text_content(".turn .abstain") == "I could not find this in the articles."
        assert page.locator(".turn .related li").count() >= 1
        # Each shows its passage's highlighted sentence, and its chip opens the article there.
        expected = httpx.post(f"{url}/v1/ask", json={"question": "What is the capital of Australia?"}).json()
        first = expected["related"][0]
        assert page.text_content(".turn .related li").startswith(f"“{first['highlight']}”")
        chip = page.locator(".turn .related li .chip").first
        assert (chip.get_attribute("data-start"), chip.get_attribute("data-end")) == (
            str(first["highlight_start"]), str(first["highlight_end"]))


def test_quotes_say_when_and_as_of_keeps_to_what_was_published_by_then(browser, site):
    question = "Does Hungary support Rutte?"
    expected = httpx.post(f"{site}/v1/ask", json={"question": question}).json()
    page = browser.new_page()
    page.goto(site)
    _ask(page, question)
    page.wait_for_selector(".turn blockquote.answer")
    leads = page.locator(".turn blockquote.answer .when").all_text_contents()
    lines = expected["answer"].splitlines()  # the page says each quote's date as the answer text does
    assert len(leads) == len(lines) and all(line.startswith(lead) for line, lead in zip(lines, leads))
    assert leads[0].startswith("As of ")
    older = [a for a in expected["answers"] if a["older"]]
    assert page.locator(".turn blockquote.answer.older").count() == len(older)
    assert all(t.startswith("Earlier, on ") for t in page.locator(".when.older").all_text_contents())
    page.fill("#as-of", "2024-03-31")
    _ask(page, question)
    note = page.wait_for_selector(".turn:nth-child(2) .time-filter")
    assert "As of 31 March 2024" in note.text_content()
    dates = page.locator(".turn:nth-child(2) blockquote.answer .when").all_text_contents()
    assert dates and all("2024" in d and ("March" in d or "January" in d or "February" in d) for d in dates)


def test_the_time_a_question_names_is_shown(browser, site):
    page = browser.new_page()
    page.goto(site)
    _ask(page, "What did Hungary say about Rutte in March 2024?")
    note = page.wait_for_selector(".turn .time-filter")
    assert "“in March 2024”" in note.text_content() and "1 March 2024 to 31 March 2024" in note.text_content()
