#!/usr/bin/python3
"""Drive the console's cases in headless Chromium (t_console.sh).

usage: console_cases.py BASE_URL SHOT_DIR

Environment: OVERFILL (a shell command that makes station S01 send an
overfill with its weight curve), PHOTO (a PNG file), NOT_PHOTO (a text file
named .jpg), LARGE and HUGE (PNGs over evidence_max_kb and over the upload
bound), XSS_CASE (the id of a case of the station named with a script).  People: officer:li@TA, officer:zhou@TB, grid:zhao@TA,
regulator:alice.  The regulator reassigns the grid report (TB) to TA at the end.  Prints "ok - ..." / "not ok - ..." per check, "# case N"
for the case handled and "# report N" for the grid report, "# done" last.
"""
import os
import subprocess
import sys
import time

from selenium.common.exceptions import StaleElementReferenceException
from selenium.webdriver.common.by import By
from selenium.webdriver.support.ui import Select

import console_lib
from console_lib import browser, check, cookie_of, no_sideways_scroll, raw, shot, sign_in, wait_css

BASE, SHOTS = sys.argv[1], sys.argv[2]
HOST = console_lib.init(BASE, SHOTS)
XSS_NOTE = ("<script>window.xss=5</script>\"' 现场已责令整改 罚款\u202e005\u202c 元"
            " 金额：\u200f500 100\u061c 元\u200e")
# what the page shows of it: a bidi override and its pop, and the invisible
# marks RLM, ALM and LRM, in plain sight as U+FFFD, obeyed by no browser
# ("罚款 500" would read as "罚款 005", "500 100" as "100 500")
XSS_NOTE_SHOWN = XSS_NOTE
for mark in "\u202e\u202c\u200f\u061c\u200e":
    XSS_NOTE_SHOWN = XSS_NOTE_SHOWN.replace(mark, "\ufffd")
XSS_REPORT = "<script>window.xss=6</script>\"' 院内堆放气瓶十余只"
case_id = report_id = None
tokens = {}  # identity: (session cookie, CSRF token), for requests outside the browser


def click_fresh(driver, css, tries=5):
    """Click what css names, finding it again if the list was redrawn
    between finding and clicking (it polls for new cases)."""
    for attempt in range(tries):
        try:
            driver.find_element(By.CSS_SELECTOR, css).click()
            return
        except StaleElementReferenceException:
            if attempt == tries - 1:
                raise
            time.sleep(0.2)

def keep_session(d, identity):
    tokens[identity] = (cookie_of(d)["value"], d.find_element(
        By.CSS_SELECTOR, "form[action='/signout'] input[name=csrf]").get_attribute("value"))
    return tokens[identity]


def case_ids(d):
    # in one script: the rows may be replaced between two calls
    return set(d.execute_script(
        "return Array.from(document.querySelectorAll('#caserows tr[data-case]'))"
        ".map(function (e) { return e.getAttribute('data-case'); })"))


def state_of(d):
    e = wait_css(d, "#state")
    return e.get_attribute("data-state") if e is not None else None


def step(d, name, note=None, photo=None):
    """Fill and send the form of one step; the new state."""
    if wait_css(d, "#do-" + name) is None:
        return None
    if note is not None:
        d.find_element(By.ID, "note-" + name).send_keys(note)
    if photo is not None:
        d.find_element(By.ID, "photo-" + name).send_keys(photo)
    d.find_element(By.ID, "do-" + name).click()
    time.sleep(0.3)
    return state_of(d)


# ---- an officer of TA on a phone: a new case arrives, is handled to its end -------------
phone = browser(360, 740)
try:
    sign_in(phone, "officer:li@TA", "li-password-1")
    wait_css(phone, "#map")
    phone.get(BASE + "/cases")
    check("the officer's case list opens", wait_css(phone, "#caserows") is not None)
    before = case_ids(phone)
    phone.execute_script("window.notReloaded = 42")
    subprocess.run(["sh", "-c", os.environ["OVERFILL"]], check=False)
    new = set()
    for _ in range(60):
        new = case_ids(phone) - before
        if new:
            break
        time.sleep(0.5)
    check("a new case appears on the list after the station's overfill (%s)" % sorted(new),
          len(new) == 1)
    check("... without reloading the page",
          phone.execute_script("return window.notReloaded") == 42)
    check("360 px: no sideways scrolling on the case list", no_sideways_scroll(phone))
    shot(phone, "phone-cases.png")
    if new:
        case_id = new.pop()
        print("# case %s" % case_id, flush=True)
        click_fresh(phone, "tr[data-case='%s'] a.caselink" % case_id)
        check("the case page shows the case as new", state_of(phone) == "new")
        check("an officer's case page has no reassign form",
              len(phone.find_elements(By.ID, "form-reassign")) == 0
              and len(phone.find_elements(By.ID, "do-accept")) == 1)
        check("the case page draws the fill's weight curve as SVG",
              len(phone.find_elements(By.CSS_SELECTOR, "svg#curve polyline.weight")) == 1)
        check("the case page names the station and the cylinder",
              phone.find_element(By.ID, "station").text == "S01"
              and phone.find_element(By.ID, "cylinder").text == "LY-0005")
        check("the buyer is shown masked", phone.find_element(By.ID, "buyer").text
              == "330***********1234")
        check("the cylinder's fills are listed",
              len(phone.find_elements(By.CSS_SELECTOR, "#fills tbody tr")) >= 1)
        check("the cylinder's registry history is listed (its owner)",
              "Longyou Gas Co." in phone.find_element(By.ID, "history").text)
        check("accept: the case is accepted", step(phone, "accept") == "accepted")
        check("on site with a photo from the camera input",
              step(phone, "onsite", XSS_NOTE, os.environ["PHOTO"]) == "onsite")
        imgs = phone.find_elements(By.CSS_SELECTOR, "#timeline img.photo")
        check("the photo is on the timeline and loads",
              len(imgs) == 1 and phone.execute_script(
                  "return arguments[0].complete && arguments[0].naturalWidth", imgs[0]) == 40)
        notes = [e.text for e in phone.find_elements(By.CSS_SELECTOR, "#timeline .note")]
        check("a note with a script, quotes, a bidi override and bidi marks shows as text,"
              " the override and the marks shown as U+FFFD", XSS_NOTE_SHOWN in notes)
        check("no script of a note ran", phone.execute_script("return window.xss") is None)
        # a file that is not a picture is refused from its bytes, whatever its name
        wait_css(phone, "#photo-attach").send_keys(os.environ["NOT_PHOTO"])
        phone.find_element(By.ID, "do-attach").click()
        e = wait_css(phone, "#error")
        check("a text file named .jpg is refused as a photo, saying it is no photo",
              e is not None and "415" in phone.page_source and "不是 JPEG 或 PNG 照片" in e.text)
        # (files no browser can draw, so cases.js sends them as they are)
        for what, path, status, why in (
                ("over evidence_max_kb", os.environ["LARGE"], "409", "照片超过 2048 KB 的上限"),
                ("over the upload bound", os.environ["HUGE"], "413", "上传的内容太大")):
            phone.get(BASE + "/cases/" + case_id)
            wait_css(phone, "#photo-attach").send_keys(path)
            phone.find_element(By.ID, "do-attach").click()
            e = wait_css(phone, "#error")
            check("a photo %s is refused (%s), saying why in the person's language" % (what, status),
                  e is not None and "(%s)" % status in phone.page_source and why in e.text)
        # a camera's photo larger than the county keeps, and than the console reads of an
        # upload: cases.js sends it as a JPEG scaled down to fit evidence_max_kb
        phone.get(BASE + "/cases/" + case_id)
        limit = int(wait_css(phone, "#photo-attach").get_attribute("data-max"))
        before = len(phone.find_elements(By.CSS_SELECTOR, "#timeline img.photo"))
        big = os.path.getsize(os.environ["BIG_PHOTO"])
        phone.find_element(By.ID, "photo-attach").send_keys(os.environ["BIG_PHOTO"])
        phone.find_element(By.ID, "do-attach").click()
        imgs, end = [], time.time() + 30
        while time.time() < end and len(imgs) <= before:
            time.sleep(0.3)
            imgs = phone.find_elements(By.CSS_SELECTOR, "#timeline img.photo")
        time.sleep(0.5)
        widths = [phone.execute_script(
            "return arguments[0].complete ? arguments[0].naturalWidth : -1", i) for i in imgs]
        check("a %d KB photo is sent scaled down to fit %d KB and shows on the timeline (%s)"
              % (big // 1024, limit // 1024, widths),
              big > limit and len(imgs) == before + 1 and all(0 < w <= 2048 for w in widths))
        print("# big photo sent", flush=True)
        phone.get(BASE + "/cases/" + case_id)
        Select(wait_css(phone, "#outcome")).select_by_value("fine")
        Select(phone.find_element(By.ID, "power")).select_by_value("P05")
        phone.find_element(By.ID, "fine").send_keys("2000")
        check("decide from the catalogue: a fine of 2000 under P05",
              step(phone, "decide", "超量充装，罚款") == "decided"
              and "2000" in phone.find_element(By.ID, "outcome").text)
        power = phone.find_element(By.ID, "decision-power").text
        check("the case shows the power it was decided under (%s)" % power, "(P05)" in power
              and len(power) > len("(P05)"))
        check("close: the case is closed", step(phone, "close", "已办结") == "closed")
        check("a closed case offers no more steps",
              len(phone.find_elements(By.CSS_SELECTOR, "#steps form")) == 0)
        name = wait_css(phone, "#station-name")
        check("the case page shows the station's registered name and address, as text",
              name is not None and name.text == os.environ["STATION_NAME"]
              and phone.find_element(By.ID, "station-address").text
              == os.environ["STATION_ADDRESS"])
        check("360 px: no sideways scrolling on the case page", no_sideways_scroll(phone))
        shot(phone, "phone-case.png")
        token, csrf = keep_session(phone, "officer:li@TA")
        # CSRF: a step without the token, or with another, or from another origin
        for what, body, hdr in (
                ("no token", {"step": "comment", "note": "x"}, None),
                ("a forged token", {"csrf": "0" * 64, "step": "comment", "note": "x"}, None),
                ("another origin", {"csrf": csrf, "step": "comment", "note": "x"},
                 {"Origin": "https://evil.example", "Host": HOST.netloc})):
            st, _, _ = raw("POST", "/cases/%s/step" % case_id, token, body, hdr)
            check("a case step with %s is refused (%d)" % (what, st), st == 403)
        st, _, body = raw("GET", "/cases/%s" % case_id, token)
        check("the forged steps left no comment",
              st == 200 and body.count(b"step step-comment") == 0)
finally:
    phone.quit()

# ---- a grid worker of TA reports from a village of TB ----------------------------------
grid = browser(360, 740)
try:
    grid.execute_cdp_cmd("Browser.grantPermissions", {
        "origin": BASE, "permissions": ["geolocation"]})
    grid.execute_cdp_cmd("Emulation.setGeolocationOverride", {
        "latitude": 29.05, "longitude": 119.25, "accuracy": 10})
    sign_in(grid, "grid:zhao@TA", "zhao-password-1")
    check("a grid worker lands on the case list", wait_css(grid, "#caserows") is not None)
    grid.get(BASE + "/report")
    wait_css(grid, "#reportform")
    for _ in range(40):  # the phone's location, once allowed
        if grid.find_element(By.ID, "lat").get_attribute("value"):
            break
        time.sleep(0.25)
    check("the report carries the phone's location when allowed",
          grid.find_element(By.ID, "lat").get_attribute("value").startswith("29.05"))
    check("360 px: no sideways scrolling on the report form", no_sideways_scroll(grid))
    shot(grid, "phone-report.png")
    Select(grid.find_element(By.ID, "village")).select_by_value("北村")
    grid.find_element(By.ID, "place").send_keys("<b>村口</b>\"'")
    grid.find_element(By.ID, "note").send_keys(XSS_REPORT)
    grid.find_element(By.ID, "send").click()
    e = wait_css(grid, "#state")
    check("the report opens a case the grid worker follows", e is not None
          and "/cases/" in grid.current_url)
    if e is not None:
        report_id = grid.current_url.rsplit("/", 1)[1]
        print("# report %s" % report_id, flush=True)
        check("the report's place and note show as text",
              grid.find_element(By.ID, "place").text == "<b>村口</b>\"'"
              and XSS_REPORT in grid.find_element(By.ID, "timeline").text)
        check("the report's location is on the case",
              grid.find_element(By.ID, "latlon").text.startswith("29.05"))
        check("no script of a report ran", grid.execute_script("return window.xss") is None)
        check("a grid worker cannot act on the case",
              len(grid.find_elements(By.CSS_SELECTOR, "#steps form")) == 0)
    token = cookie_of(grid)["value"]
    if case_id:
        st, _, _ = raw("GET", "/cases/%s" % case_id, token)
        check("a grid worker cannot open a case not reported by them (%d)" % st, st == 403)
finally:
    grid.quit()

# ---- another township's officer: 403 on the same URLs ----------------------------------
other = browser(360, 740)
try:
    sign_in(other, "officer:zhou@TB", "zhou-password-1")
    wait_css(other, "#map")
    token, csrf = keep_session(other, "officer:zhou@TB")
    if case_id:
        other.get(BASE + "/cases/" + case_id)
        check("TB's officer gets the refusal page for TA's case",
              wait_css(other, "#error") is not None and "403" in other.page_source
              and "LY-0005" not in other.page_source)
        st, _, _ = raw("GET", "/cases/%s" % case_id, token)
        check("TB's officer: GET of TA's case is 403 (%d)" % st, st == 403)
        st, _, _ = raw("POST", "/cases/%s/step" % case_id, token,
                       {"csrf": csrf, "step": "comment", "note": "not mine"})
        check("TB's officer: a step on TA's case is 403 (%d)" % st, st == 403)
        other.get(BASE + "/cases?view=all")
        wait_css(other, "#caserows")
        check("TA's case is not on TB's list", case_id not in case_ids(other))
    if report_id:
        other.get(BASE + "/cases?view=all")
        wait_css(other, "#caserows")
        check("the grid report from TB's village is on TB's list",
              report_id in case_ids(other))
        other.get(BASE + "/cases/" + report_id)
        check("TB's officer sees no reassign form on the report",
              wait_css(other, "#do-accept") is not None
              and len(other.find_elements(By.ID, "form-reassign")) == 0)
        check("TB's officer accepts the report", step(other, "accept") == "accepted")
        # an officer's forged reassignment, with a valid CSRF token: the route refuses it
        st, _, _ = raw("POST", "/cases/reassign", token,
                       {"csrf": csrf, "id": report_id, "township": "TA", "note": "not mine"})
        check("TB's officer: a forged POST to /cases/reassign is 403 (%d)" % st, st == 403)
        st, _, body = raw("GET", "/cases/%s" % report_id, token)
        check("... and the report is still TB's, with no reassignment on its timeline",
              st == 200 and b"step-reassign" not in body)
finally:
    other.quit()

# ---- the regulator at a desk sees the closed case and its timeline ---------------------
desk = browser(1366, 900, "en-GB,en")
try:
    sign_in(desk, "regulator:alice", "alice-password-1")
    wait_css(desk, "#map")
    desk.get(BASE + "/cases?view=all")
    wait_css(desk, "#caserows")
    check("the regulator's list holds the closed case", case_id in case_ids(desk))
    if case_id:
        desk.get(BASE + "/cases/" + case_id)
        wait_css(desk, "#timeline")
        steps = [e.get_attribute("class")
                 for e in desk.find_elements(By.CSS_SELECTOR, "#timeline li")]
        want = ["step step-open", "step step-accept", "step step-onsite", "step step-decide",
                "step step-close"]
        check("the regulator sees the whole timeline (%s)" % steps,
              [s for s in steps if s in want] == want)
        check("each step names the officer",
              desk.find_element(By.ID, "timeline").text.count("officer:li@TA") >= 4)
        shot(desk, "desk-case.png")
    desk.get(BASE + "/cases/" + os.environ["XSS_CASE"])
    e = wait_css(desk, "#station")
    check("a case of a station named with a script shows the name as text",
          e is not None and e.text == "<script>window.xss=4</script>")
    e = wait_css(desk, "#station-name")
    check("a station not in the county's register is said to be so",
          e is not None and ("register" in e.text or "登记" in e.text))
    check("no script of a station's name ran", desk.execute_script("return window.xss") is None)
    if case_id:
        desk.get(BASE + "/cases/" + case_id)
        wait_css(desk, "#timeline")
        check("a closed case offers the regulator no reassign form",
              len(desk.find_elements(By.ID, "form-reassign")) == 0)
    if report_id:
        # the county's decision: the report found in TB's village is TA's to handle
        desk.get(BASE + "/cases/" + report_id)
        e = wait_css(desk, "#reassign-township")
        options = [o.get_attribute("value") for o in Select(e).options] if e else []
        check("the regulator's case page has a reassign form to the other townships (%s)"
              % options, options == ["TA"])
        check("... beside the step forms the regulator may use (comment)",
              len(desk.find_elements(By.ID, "do-comment")) == 1)
        rtoken, rcsrf = keep_session(desk, "regulator:alice")
        for what, body, status in (
                ("without a CSRF token", {"id": report_id, "township": "TA", "note": "x"}, 403),
                ("to a township the county does not know",
                 {"csrf": rcsrf, "id": report_id, "township": "TZ", "note": "x"}, 409),
                ("without a note", {"csrf": rcsrf, "id": report_id, "township": "TA"}, 409),
                ("of no such case", {"csrf": rcsrf, "id": "999999", "township": "TA",
                                     "note": "x"}, 404)):
            st, _, _ = raw("POST", "/cases/reassign", rtoken, body)
            check("a reassignment %s is refused (%d)" % (what, st), st == status)
        Select(e).select_by_value("TA")
        desk.find_element(By.ID, "note-reassign").send_keys("<i>由甲镇</i>\"' 处理")
        desk.find_element(By.ID, "do-reassign").click()
        time.sleep(0.3)
        check("the reassigned case is new again (TB's acceptance undone)",
              state_of(desk) == "new")
        steps = desk.find_elements(By.CSS_SELECTOR, "#timeline li.step-reassign")
        check("the timeline shows the reassignment TB -> TA by the regulator, its note as text",
              len(steps) == 1 and "TB -> TA: <i>由甲镇</i>\"' 处理" in steps[0].text
              and "regulator:alice" in steps[0].text)
        check("the case page names Town A as its township",
              "Town A" in desk.find_element(By.ID, "facts").text)
        shot(desk, "desk-reassigned.png")
        for who, want in (("officer:li@TA", 200), ("officer:zhou@TB", 403)):
            if who in tokens:
                st, _, _ = raw("GET", "/cases/%s" % report_id, tokens[who][0])
                check("after the reassignment, %s gets %d for the case (%d)" % (who, want, st),
                      st == want)
        if "officer:li@TA" in tokens:
            st, _, body = raw("GET", "/cases?view=open", tokens["officer:li@TA"][0])
            check("... and the case is on TA's list",
                  st == 200 and ('data-case="%s"' % report_id).encode() in body)
        # the list's filters go into its query (cases_filter): the case, TA's now, is
        # on the regulator's list filtered to TA and not on the one filtered to TB
        st_a, _, body_a = raw("GET", "/cases?view=all&township=TA", rtoken)
        st_b, _, body_b = raw("GET", "/cases?view=all&township=TB", rtoken)
        mark = ('data-case="%s"' % report_id).encode()
        check("the regulator's list filtered to TA shows the case, filtered to TB not "
              "(%d, %d)" % (st_a, st_b),
              st_a == 200 and st_b == 200 and mark in body_a and mark not in body_b)
finally:
    desk.quit()

print("# done")
sys.exit(1 if console_lib.failed else 0)
