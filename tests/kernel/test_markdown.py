from kernel.markdown import render_markdown


def test_script_tags_are_shown_as_text_not_run():
    html = render_markdown("Hello <script>alert('x')</script>")
    assert "<script" not in html
    assert "&lt;script&gt;" in html


def test_javascript_links_are_not_links():
    html = render_markdown("[click](javascript:alert(1)) and [ok](https://example.org)")
    assert 'href="javascript' not in html
    assert '<a href="https://example.org" rel="nofollow noopener noreferrer ugc">ok</a>' in html


def test_raw_html_links_and_event_handlers_are_inert():
    html = render_markdown('<a href="javascript:x">z</a> <img src=x onerror=alert(1)>')
    assert "<a " not in html
    assert "<img" not in html


def test_markdown_headings_never_compete_with_the_page():
    html = render_markdown("# Big\n\n## Smaller\n\n**bold** and *soft*")
    assert "<h1>" not in html and "<h2>" not in html
    assert "<h3>Big</h3>" in html
    assert "<strong>bold</strong>" in html and "<em>soft</em>" in html
