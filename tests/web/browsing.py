"""What the browser tests share: screen sizes, the people's password, and the helpers that
click a form's button and wait for the page the server answers with."""

from __future__ import annotations

from pathlib import Path

from playwright.sync_api import Error as PlaywrightError

# The applicant's phone runs with JavaScript off: every form works without it.
PHONE = {
    "viewport": {"width": 375, "height": 812},
    "device_scale_factor": 1,
    "locale": "zh-CN",
    "java_script_enabled": False,
}
DESK = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
PASSWORD = "Liuzhou-Unit-Review-2026"


def shot(page, artefacts: Path, name: str) -> None:
    """The page as shown, saved as an artefact. Chromium on a busy machine now and then
    answers "Unable to capture screenshot" (its compositor had no frame ready, e.g. just
    after another context closed): asked again a moment later, it takes it."""
    for attempt in range(3):
        try:
            page.screenshot(path=str(artefacts / f"{name}.png"), full_page=True)
            return
        except PlaywrightError as exc:
            if "Unable to capture screenshot" not in str(exc) or attempt == 2:
                raise
            page.wait_for_timeout(500)


def fill_section(page, key: str, value) -> None:
    """Fill one section's form as a person would, one entry at a time, saving each."""
    entries = value if isinstance(value, list) else [value]
    for index, entry in enumerate(entries):
        prefix = f"{index}-" if isinstance(value, list) else ""
        for field, v in entry.items():
            locator = page.locator(f"[name='{prefix}{field}']")
            if locator.count() == 0:
                continue  # a field this form does not ask for
            text = ("true" if v else "false") if isinstance(v, bool) else str(v)
            if page.locator(f"select[name='{prefix}{field}']").count():
                locator.select_option(text)
            else:
                locator.fill(text)
        press(page, page.get_by_role("button", name="保存", exact=True))
        seen(page.get_by_text("已保存。"), alerts(page))


def upload(page, path: Path, *, normalize: bool = False, form: str = "new") -> None:
    page.locator(f"#file-{form}").set_input_files(str(path))
    if normalize:
        page.locator(f"#file-{form}").locator("xpath=ancestor::form").get_by_label(
            "自动规范化"
        ).check()
    owner = page.locator(f"#file-{form}").locator("xpath=ancestor::form")
    press(page, owner.get_by_role("button", name="上传"))


def staff_signed_in(browser, url: str, username: str, password: str = PASSWORD):
    """(context, page): a desktop browser signed in at /staff/login (an office's reviewer
    or an expert), on the page the sign-in lands on."""
    ctx = browser.new_context(base_url=url, **DESK)
    page = ctx.new_page()
    page.goto("/staff/login")
    page.get_by_label("用户名").fill(username)
    page.get_by_label("密码").fill(password)
    press(page, page.get_by_role("button", name="登录"))
    return ctx, page


def press(page, button) -> None:
    """Click a form's button and wait for the page the server answers with."""
    with page.expect_navigation():
        button.click()


def seen(locator, why: str = "") -> None:
    """The element appears (waiting for the page the last click loaded)."""
    try:
        locator.first.wait_for(state="visible", timeout=15_000)
    except Exception as exc:
        raise AssertionError(f"not shown: {locator} {why}") from exc


# Every visible form field has a label a screen reader announces (JS on: a desk page).
UNLABELLED = """() => [...document.querySelectorAll('input, select, textarea')]
  .filter(e => e.type !== 'hidden' && !(e.labels && e.labels.length))
  .map(e => e.name)"""


def alerts(page) -> str:
    return page.url + " " + " | ".join(page.locator(".alert, .findings").all_inner_texts())
