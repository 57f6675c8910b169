"""Dashboard journey in headless Debian Chromium: signup, team invite, API keys, audit log, invite acceptance, logout.

The dashboard must work without JavaScript, so every step is a plain form submit followed by a page load.
"""

import os
import re
from pathlib import Path
from urllib.parse import urljoin, urlparse

import pytest
import requests
from selenium import webdriver
from selenium.common.exceptions import NoAlertPresentException, StaleElementReferenceException, WebDriverException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import Select, WebDriverWait

from conftest import PASSWORD, TIMEOUT, unique

# Without these Selenium Manager tries to download driver metadata first (see testing-tools.md §3.2).
os.environ["SE_OFFLINE"] = "true"
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")
CHROMEDRIVER = os.environ.get("CHROMEDRIVER", "/usr/bin/chromedriver")
ARTIFACTS = Path(os.environ.get("TOLLGATE_E2E_ARTIFACTS", ".test-run/e2e"))
WAIT = 15  # seconds for a page to settle after a submit


def new_driver():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    # --no-sandbox: CI runs as root; --disable-dev-shm-usage: containers have a tiny /dev/shm.
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1280,900"):
        opts.add_argument(arg)
    # Scripts off for the pages: the dashboard must work without JavaScript.
    opts.add_experimental_option("prefs", {"profile.managed_default_content_settings.javascript": 2})
    return webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)


@pytest.fixture
def browsers(request):
    """Factory for browser sessions (each one a fresh profile, i.e. no cookies).
    On failure, saves a screenshot and the DOM of each session to ARTIFACTS."""
    drivers = []

    def make():
        drv = new_driver()
        drivers.append(drv)
        return drv

    yield make
    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for i, drv in enumerate(drivers):
        try:
            if failed:
                ARTIFACTS.mkdir(parents=True, exist_ok=True)
                stem = ARTIFACTS / f"{request.node.name}-{i}"
                drv.save_screenshot(f"{stem}.png")
                Path(f"{stem}.html").write_text(f"<!-- {drv.current_url} -->\n{drv.page_source}")
        finally:
            drv.quit()


def path_of(drv) -> str:
    return urlparse(drv.current_url).path


def wait_for_path(drv, *paths):
    WebDriverWait(drv, WAIT).until(lambda d: path_of(d).rstrip("/") in paths,
                                   f"expected to land on one of {paths}")


def fill(form, name, value):
    field = form.find_element(By.NAME, name)
    field.clear()
    field.send_keys(value)


def submit(form):
    """Click the form's submit button (unlike form.submit(), this sends the button's name/value too)."""
    buttons = form.find_elements(By.CSS_SELECTOR, "button[type=submit], input[type=submit], button:not([type])")
    if buttons:
        buttons[0].click()
    else:
        form.submit()
    try:  # a confirm() on destructive buttons is allowed; accept it
        form.parent.switch_to.alert.accept()
    except NoAlertPresentException:
        pass
    # Every submit loads a page. Waiting until the old one is gone keeps the next lookup out of a document that is
    # being replaced (Chrome then fails with "Node with given id does not belong to the document", not as stale).
    WebDriverWait(form.parent, WAIT, ignored_exceptions=[WebDriverException]).until(
        lambda _: detached(form), "submitting the form did not load a new page")


def detached(element) -> bool:
    try:
        element.is_enabled()
        return False
    except StaleElementReferenceException:
        return True


def text_or_value(el) -> str:
    """Secrets and links may be shown as text, a readonly <input>, or an <a href>."""
    return (el.text or el.get_attribute("value") or el.get_attribute("href") or "").strip()


def row_with(drv, table_css, needle):
    for row in drv.find_elements(By.CSS_SELECTOR, table_css):
        if needle in row.text:
            return row
    return None


def bearer_me(base_url, secret):
    return requests.get(base_url + "/v1/me", headers={"Authorization": f"Bearer {secret}"}, timeout=TIMEOUT)


def check_security_headers(resp):
    h = resp.headers
    assert h.get("Content-Security-Policy"), f"{resp.url}: no Content-Security-Policy"
    assert h.get("X-Frame-Options", "").upper() == "DENY", f"{resp.url}: X-Frame-Options={h.get('X-Frame-Options')}"
    assert h.get("Referrer-Policy"), f"{resp.url}: no Referrer-Policy"


def test_tenant_dashboard_journey(base_url, browsers):
    tenant_name = unique("E2E Dashboard")
    owner_email = unique("owner") + "@example.com"
    invitee_email = unique("analyst") + "@example.com"
    key_name = unique("ci key")
    drv = browsers()

    # 1. Signup with an invalid email: the server re-renders the form with an inline error next to the field
    #    and keeps what was typed (the form is novalidate, so the browser does not check it first).
    drv.get(base_url + "/signup")
    form = drv.find_element(By.CSS_SELECTOR, "form#signup-form")
    fill(form, "tenant_name", tenant_name)
    fill(form, "email", "not-an-email")
    fill(form, "password", PASSWORD)
    submit(form)
    error = WebDriverWait(drv, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#email-error.field-error")))
    assert "email" in error.text.lower()
    form = drv.find_element(By.CSS_SELECTOR, "form#signup-form")
    assert form.find_element(By.NAME, "tenant_name").get_attribute("value") == tenant_name

    # 2. Signup for real: lands on the overview, which lists next steps.
    fill(form, "email", owner_email)
    fill(form, "password", PASSWORD)  # password fields are never echoed back
    submit(form)
    wait_for_path(drv, "/app")
    assert drv.find_element(By.TAG_NAME, "h1").text.strip() == tenant_name
    steps = drv.find_element(By.CSS_SELECTOR, "#next-steps").text
    assert "Invite your team" in steps and "Create an API key" in steps

    # 3. Invite an analyst: the page shows the accept link once and lists the pending invite.
    drv.get(base_url + "/app/team")
    form = drv.find_element(By.CSS_SELECTOR, "form#invite-form")
    fill(form, "email", invitee_email)
    Select(form.find_element(By.NAME, "role")).select_by_value("analyst")
    submit(form)
    link_el = WebDriverWait(drv, WAIT).until(EC.presence_of_element_located((By.ID, "invite-link")))
    match = re.search(r"(?:https?://[^\s\"'<>]+)?/invite/[^\s\"'<>]+", text_or_value(link_el))
    assert match, f"#invite-link has no /invite/ URL: {text_or_value(link_el)!r}"
    accept_url = urljoin(base_url + "/", match.group(0))
    invites = drv.find_element(By.CSS_SELECTOR, "table#invites").text
    assert invitee_email in invites and "pending" in invites

    # 4. Create an API key with one scope: the secret is shown once and works as a bearer token.
    drv.get(base_url + "/app/api-keys")
    form = drv.find_element(By.CSS_SELECTOR, "form#api-key-form")
    submit(form)  # no name, no scope: inline errors, nothing created
    WebDriverWait(drv, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#name-error.field-error")))
    assert not drv.find_elements(By.ID, "new-key-secret")
    form = drv.find_element(By.CSS_SELECTOR, "form#api-key-form")
    fill(form, "name", key_name)
    box = form.find_element(By.CSS_SELECTOR, "input[name=scopes][value='members:read']")
    if not box.is_selected():
        box.click()
    submit(form)
    secret_el = WebDriverWait(drv, WAIT).until(EC.presence_of_element_located((By.ID, "new-key-secret")))
    secret = text_or_value(secret_el)
    assert secret.startswith("tgk_"), f"#new-key-secret: {secret!r}"
    row = row_with(drv, "table#api-keys tr[data-key-prefix]", key_name)
    assert row is not None, "new key is not listed in table#api-keys"
    assert secret.startswith(row.get_attribute("data-key-prefix") + "_")
    assert "members:read" in row.text
    r = bearer_me(base_url, secret)
    assert r.status_code == 200, f"GET /v1/me with new key -> {r.status_code}: {r.text[:300]}"

    # 5. Revoke it from its row: the row says so and the key stops working at once.
    submit(row.find_element(By.CSS_SELECTOR, "button.revoke").find_element(By.XPATH, "./ancestor::form"))

    def key_row_says_revoked(d):
        row = row_with(d, "table#api-keys tr[data-key-prefix]", key_name)
        return row is not None and "revoked" in row.text.lower()

    WebDriverWait(drv, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(
        key_row_says_revoked, "the revoked key's row does not say 'revoked'")
    assert "revoked" in drv.find_element(By.CSS_SELECTOR, ".notice").text
    r = bearer_me(base_url, secret)
    assert r.status_code == 401, f"GET /v1/me with revoked key -> {r.status_code}"
    assert r.headers.get("Content-Type", "").startswith("application/problem+json"), r.headers.get("Content-Type")

    # 6. Both actions are in the audit log, and the chain verifies.
    drv.get(base_url + "/app/audit")
    audit = drv.find_element(By.CSS_SELECTOR, "table#audit-events").text
    assert "api_key.revoked" in audit and "api_key.created" in audit and "member.invited" in audit
    drv.get(base_url + "/app/audit?verify=1")
    assert "intact" in drv.find_element(By.ID, "chain-status").text

    # 7. Security headers on dashboard pages, fetched with the browser's session cookie.
    http = requests.Session()
    for c in drv.get_cookies():
        http.cookies.set(c["name"], c["value"])
    r = http.get(base_url + "/app", allow_redirects=False, timeout=TIMEOUT)
    assert r.status_code == 200, f"GET /app with the browser's cookies -> {r.status_code}"
    check_security_headers(r)
    check_security_headers(requests.get(base_url + "/login", timeout=TIMEOUT))

    # 8. Accept the invite in a fresh browser (no cookies): lands in the inviting tenant as an analyst,
    #    whose navigation has no API keys page.
    drv2 = browsers()
    drv2.get(accept_url)
    form = drv2.find_element(By.CSS_SELECTOR, "form#accept-invite-form")
    fill(form, "name", "Ana Lyst")
    fill(form, "password", "short")
    submit(form)
    WebDriverWait(drv2, WAIT).until(EC.visibility_of_element_located((By.CSS_SELECTOR, "#password-error.field-error")))
    form = drv2.find_element(By.CSS_SELECTOR, "form#accept-invite-form")
    fill(form, "password", PASSWORD)
    submit(form)
    wait_for_path(drv2, "/app")
    header = drv2.find_element(By.CSS_SELECTOR, "header.top").text
    assert tenant_name in header and "analyst" in header
    assert "API keys" not in drv2.find_element(By.CSS_SELECTOR, "header.top nav").text

    # 9. The owner sees the new member and makes them a viewer.
    drv.get(base_url + "/app/team")
    row = row_with(drv, "table#members tr[data-user-id]", invitee_email)
    assert row is not None and "analyst" in row.find_element(By.CSS_SELECTOR, "td.role").text
    Select(row.find_element(By.NAME, "role")).select_by_value("viewer")
    submit(row.find_element(By.NAME, "role").find_element(By.XPATH, "./ancestor::form"))
    WebDriverWait(drv, WAIT, ignored_exceptions=[StaleElementReferenceException]).until(
        lambda d: (r := row_with(d, "table#members tr[data-user-id]", invitee_email)) is not None
        and r.find_element(By.CSS_SELECTOR, "td.role").text == "viewer",
        "the member's role did not change to viewer")
    assert row_with(drv, "table#invites tr", invitee_email) is None, "an accepted invite is still listed as open"

    # 10. Log out: the dashboard then sends us to the login page.
    submit(drv2.find_element(By.CSS_SELECTOR, "form#logout-form"))
    wait_for_path(drv2, "/login")
    drv2.get(base_url + "/app")
    wait_for_path(drv2, "/login")
