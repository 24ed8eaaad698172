#!/usr/bin/python3
"""Drive the county console (gasweb) in headless Chromium (t_console.sh).

usage: console_browser.py BASE_URL SHOT_DIR   (GOOD_CODE in the environment)

Prints one "ok - ..." or "not ok - ..." line per check and "# done" at the
end.  The people and data are the ones t_console.sh set up: officer:li@TA,
officer:wang@TB, regulator:alice; stations S01 (TA) and S02 (TB).
"""
import os
import sys
import urllib.parse

from selenium.webdriver.common.by import By

import console_lib
from console_lib import browser, check, cookie_of, no_sideways_scroll, raw, shot, sign_in, wait_css

BASE, SHOTS = sys.argv[1], sys.argv[2]
HOST = console_lib.init(BASE, SHOTS)


# ---- an officer on a phone ---------------------------------------------------------------
phone = browser(360, 740)
try:
    phone.get(BASE + "/map")
    check("signed out, the map sends to the sign-in page", "/signin" in phone.current_url)
    check("the sign-in page is in Chinese by default", "登录" in phone.page_source)
    shot(phone, "phone-signin.png")
    sign_in(phone, "officer:li@TA", "li-password-1")
    check("the officer lands on the map", wait_css(phone, "#map") is not None
          and phone.current_url.endswith("/map"))
    c = cookie_of(phone)
    check("the session cookie is HttpOnly, Secure and SameSite=Strict",
          c is not None and c["httpOnly"] and c["secure"] and c.get("sameSite") == "Strict")
    cards = sorted(e.text for e in phone.find_elements(By.CSS_SELECTOR, "#stations .sid"))
    check("the officer of TA sees TA's stations and not TB's S02 (%s)" % cards,
          cards == ["<script>window.xss=4</script>", "S01"])
    check("a station named with a script shows its name as text",
          "<script>window.xss=4</script>" in cards)
    check("S01's card has its registered name and address, as text",
          phone.find_element(By.CSS_SELECTOR, "#st-S01 .sname").text == os.environ["STATION_NAME"]
          and phone.find_element(By.CSS_SELECTOR, "#st-S01 .saddr").text
          == os.environ["STATION_ADDRESS"])
    check("S01's pin is titled with its name",
          any(os.environ["STATION_NAME"] in (e.get_attribute("textContent") or "")
              for e in phone.find_elements(By.CSS_SELECTOR, "#map circle.pin title")))
    check("the officer's station card offers no trace",
          len(phone.find_elements(By.CSS_SELECTOR, "#st-S01 a.tracelink")) == 0)
    check("TA's stations are drawn as pins on the map",
          len(phone.find_elements(By.CSS_SELECTOR, "#map circle.pin")) == 2)
    check("TA is shaded by its open case (the alert's)",
          len(phone.find_elements(By.CSS_SELECTOR, "#map g.t1[data-township='TA']")) == 1)
    check("S01 has its fills of today",
          phone.find_element(By.CSS_SELECTOR, "#st-S01 .fills").text == "4")
    note = phone.find_element(By.CSS_SELECTOR, "#st-S01 .note").text
    check("a station's status with markup shows as text",
          "<script>window.xss=3</script>" in note and "<b>bold</b>" in note)
    check("no script of a station ran", phone.execute_script("return window.xss") is None)
    check("360 px: no sideways scrolling on the map", no_sideways_scroll(phone))
    shot(phone, "phone-map.png")

    # the regulator's trace, asked by an officer: 403, in the browser and on the wire
    phone.get(BASE + "/trace?kind=station&key=S01")
    check("an officer gets the refusal page for a regulator's URL",
          wait_css(phone, "#error") is not None and "403" in phone.page_source
          and "LY-0002" not in phone.page_source)
    token = cookie_of(phone)["value"]
    st, _, _ = raw("GET", "/trace?kind=station&key=S01", token)
    check("an officer's trace request is answered 403 (%d)" % st, st == 403)
    st, _, _ = raw("GET", "/trace.csv?kind=station&key=S01", token)
    check("an officer's CSV export is answered 403 (%d)" % st, st == 403)

    # CSRF: a state change without the session's token, or from another origin
    st, _, _ = raw("POST", "/signout", token, {"csrf": "0" * 64})
    check("sign-out with a forged CSRF token is refused (%d)" % st, st == 403)
    st, _, _ = raw("POST", "/signout", token, {})
    check("sign-out without a CSRF token is refused (%d)" % st, st == 403)
    csrf = phone.find_element(By.CSS_SELECTOR, "form[action='/signout'] input[name=csrf]")
    st, _, _ = raw("POST", "/signout", token, {"csrf": csrf.get_attribute("value")},
                   {"Origin": "https://evil.example", "Host": HOST.netloc})
    check("sign-out from another origin is refused (%d)" % st, st == 403)
    st, _, _ = raw("GET", "/map", token)
    check("the session survived the forged requests (%d)" % st, st == 200)

    # sign-out ends the session
    phone.find_element(By.ID, "signout").click()
    wait_css(phone, "#identity")
    check("sign-out returns to the sign-in page", "/signin" in phone.current_url)
    st, h, _ = raw("GET", "/map", token)
    check("the old session no longer opens the map (%d)" % st,
          st == 303 and h.get("location") == "/signin")

    # the public check page on a phone
    good = os.environ["GOOD_CODE"]
    phone.get(BASE + "/c/" + urllib.parse.quote(good, safe=""))
    v = wait_css(phone, "#verdict")
    check("a genuine code is shown as valid", v is not None and "valid" in v.get_attribute("class")
          and "invalid" not in v.get_attribute("class"))
    facts = phone.find_element(By.ID, "serial").text
    check("the label's facts are in the page's language (%s)" % facts,
          facts.startswith("编号 ") and "型号 YSP" in facts and "制造" in facts
          and "county" not in facts and "tare" not in facts)
    check("the check page shows status, owner and next inspection",
          phone.find_element(By.ID, "status").text == "在用"
          and phone.find_element(By.ID, "owner").text == "Longyou Gas Co."
          and phone.find_element(By.ID, "next").text == "2028-05-10")
    last = phone.find_element(By.ID, "lastfill").text
    check("the last fill is its day and station only (%s)" % last,
          "S01" in last and ":" not in last)
    check("the check page reveals no buyer",
          "330***********1234" not in phone.page_source and "household" not in phone.page_source)
    check("the hotline is on the check page", "0570-12345" in phone.page_source)
    check("360 px: no sideways scrolling on the check page", no_sideways_scroll(phone))
    shot(phone, "phone-check.png")
    # as a label's QR carries it: upper-case path, only space and '%' escaped
    label = BASE + "/C/" + good.replace("%", "%25").replace(" ", "%20")
    phone.get(label)
    v = wait_css(phone, "#verdict")
    check("the label's URL form (/C/, %20 and %25) opens the same check",
          v is not None and "invalid" not in v.get_attribute("class")
          and phone.find_element(By.ID, "owner").text == "Longyou Gas Co.")
    # the URL zbarimg read from a newly minted label, as a phone camera opens it
    v = None
    if os.environ.get("LABEL_URL", "").startswith("https://"):
        phone.get(os.environ["LABEL_URL"])
        v = wait_css(phone, "#verdict", 10)
    check("a phone opens the check page from the new label's URL: valid, its owner",
          v is not None and "invalid" not in v.get_attribute("class")
          and phone.find_element(By.ID, "owner").text == "Longyou Gas Co.")
    # one base45 character changed: the signature no longer holds
    i = len(good) - 5
    forged = good[:i] + ("A" if good[i] != "A" else "B") + good[i + 1:]
    phone.get(BASE + "/c/" + urllib.parse.quote(forged, safe=""))
    v = wait_css(phone, "#verdict")
    check("a forged code is shown as invalid", v is not None
          and "invalid" in v.get_attribute("class") and "#owner" not in phone.page_source
          and "Longyou Gas" not in phone.page_source)
    st, _, _ = raw("GET", "/c/" + urllib.parse.quote(forged, safe=""))
    check("a forged code is answered 404 (%d)" % st, st == 404)

    # lock-out: three wrong passwords lock the account, even for the right one
    for n in range(3):
        sign_in(phone, "officer:wang@TB", "wrong-guess-%d" % n)
        wait_css(phone, "#error")
    sign_in(phone, "officer:wang@TB", "wang-password-1")
    e = wait_css(phone, "#error")
    check("after 3 wrong passwords the right one is refused: locked",
          e is not None and "锁定" in e.text and "/signin" in phone.current_url)
finally:
    phone.quit()

# ---- a regulator at a desk, in English ------------------------------------------------
desk = browser(1366, 900, "en-GB,en")
try:
    desk.get(BASE + "/signin")
    st, h, body = raw("GET", "/signin", None, None, {"Accept-Language": "en-GB,en;q=0.9"})
    check("Accept-Language: en gives English", b"Sign in" in body)
    csp = h.get("content-security-policy", "")
    check("pages carry a CSP without inline script and no framing",
          "script-src 'self'" in csp and "unsafe-inline" not in csp
          and "frame-ancestors 'none'" in csp and h.get("x-frame-options") == "DENY")
    sign_in(desk, "regulator:alice", "alice-password-1")
    wait_css(desk, "#map")
    cards = sorted(e.text for e in desk.find_elements(By.CSS_SELECTOR, "#stations .sid"))
    check("the regulator sees every station (%s)" % cards,
          cards == ["<script>window.xss=4</script>", "S01", "S02"])
    shot(desk, "desk-map.png")
    check("a regulator's station card links to its trace",
          len(desk.find_elements(By.CSS_SELECTOR, "#st-S01 a.tracelink")) == 1)
    desk.get(BASE + "/trace")
    wait_css(desk, "#key").send_keys("S01")
    desk.find_element(By.CSS_SELECTOR, "#kind option[value=station]").click()
    desk.find_element(By.ID, "search").click()
    wait_css(desk, "#trace")
    rows = desk.find_elements(By.CSS_SELECTOR, "#trace tbody tr")
    check("the first page of S01's trace has 2 records", len(rows) == 2)
    text = desk.find_element(By.ID, "trace").text
    seen = text
    nxt = desk.find_elements(By.ID, "next")
    check("a next page is offered", len(nxt) == 1)
    if nxt:
        nxt[0].click()
        wait_css(desk, "#trace")
        seen += desk.find_element(By.ID, "trace").text
    check("a cylinder named with a script shows as text",
          "<script>window.xss=1</script>" in seen)
    check("no script from the records ran", desk.execute_script("return window.xss") is None)
    shot(desk, "desk-trace.png")
    # a buyer by number: hashed by the console, the trace by the hashed id
    desk.get(BASE + "/trace")
    wait_css(desk, "#number").send_keys(os.environ["BUYER_NUMBER"])
    desk.find_element(By.ID, "buyersearch").click()
    wait_css(desk, "#trace")
    check("a buyer's number finds that buyer's fill (LY-0009)",
          "LY-0009" in desk.find_element(By.ID, "trace").text
          and len(desk.find_elements(By.CSS_SELECTOR, "#trace tbody tr")) == 1)
    check("the number is not in the page or its URL",
          os.environ["BUYER_NUMBER"] not in desk.page_source
          and os.environ["BUYER_NUMBER"] not in desk.current_url)
    token = cookie_of(desk)["value"]
    st, h, body = raw("GET", "/trace.csv?kind=station&key=S01", token)
    lines = body.decode().strip().split("\r\n")
    check("the CSV export has every record of S01 (%d lines)" % len(lines),
          st == 200 and h.get("content-type", "").startswith("text/csv") and len(lines) == 5)
    check("the CSV keeps the script as a quoted field",
          '"<script>window.xss=1</script>"' in body.decode())
    # the period asked stays in the form; a bad one is named, not searched
    desk.get(BASE + "/trace?kind=station&key=S01&from=2026-01-01&to=2099-12-31")
    wait_css(desk, "#trace")
    check("the period asked stays in the form for the next search",
          desk.find_element(By.ID, "from").get_attribute("value") == "2026-01-01"
          and desk.find_element(By.ID, "to").get_attribute("value") == "2099-12-31")
    # (the desk reads English)
    for query, says in (("from=2026-12-10&to=2026-12-01", "The period ends before it begins"),
                        ("from=bad", "“From” is not a date")):
        desk.get(BASE + "/trace?kind=station&key=S01&" + query)
        err = wait_css(desk, "#error").text
        check("a trace with %s is refused saying so (%s), the key kept" % (query, err),
              says in err and not desk.find_elements(By.ID, "trace")
              and desk.find_element(By.ID, "key").get_attribute("value") == "S01")
    # a station id the county never knew (a typo): said so, not "no records"
    desk.get(BASE + "/trace?kind=station&key=S0l")
    err = wait_css(desk, "#error").text
    check("a station the county does not know is said to be unknown (%s), the key kept" % err,
          "The county knows no station of that id" in err
          and not desk.find_elements(By.ID, "trace") and not desk.find_elements(By.ID, "empty")
          and desk.find_element(By.ID, "key").get_attribute("value") == "S0l")
    st, _, body = raw("GET", "/trace?kind=station&key=S0l", token)
    check("... answered 404, in Chinese to a request that asks for no language (%d)" % st,
          st == 404 and "县级平台没有这个站号的充装站" in body.decode()
          and "没有记录" not in body.decode())
    st, h, body = raw("GET", "/trace.csv?kind=station&key=S0l", token)
    check("... and its CSV export is no empty CSV but a 404 saying so (%d)" % st,
          st == 404 and not h.get("content-type", "").startswith("text/csv")
          and "县级平台没有这个站号的充装站" in body.decode())
    # a buyer's number typed where a serial goes: not searched, not echoed, not audited
    desk.get(BASE + "/trace")
    wait_css(desk, "#key").send_keys(os.environ["BUYER_NUMBER"])
    desk.find_element(By.ID, "search").click()
    err = wait_css(desk, "#error").text
    check("a person's number in the serial field is refused (%s)" % err,
          "looks like a person's ID number" in err and not desk.find_elements(By.ID, "trace")
          and desk.find_element(By.ID, "key").get_attribute("value") == ""
          and os.environ["BUYER_NUMBER"] not in desk.page_source)
    check("the hint no longer sends a buyer's number to the serial field",
          desk.find_element(By.CSS_SELECTOR, "p.hint").text.startswith(
              "Search by a cylinder serial or a station id."))
finally:
    desk.quit()

print("# done")
sys.exit(1 if console_lib.failed else 0)
