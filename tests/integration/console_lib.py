"""What the console's browser tests share (console_browser.py, console_cases.py).

init(BASE, SHOTS) first; check() prints "ok - ..." or "not ok - ..." and
counts failures in console_lib.failed.
"""
import http.client
import os
import ssl
import struct
import urllib.parse
import zlib

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

BASE = SHOTS = HOST = None
failed = 0


def init(base, shots):
    global BASE, SHOTS, HOST
    BASE, SHOTS, HOST = base, shots, urllib.parse.urlparse(base)
    return HOST


def check(what, cond):
    global failed
    if cond:
        print("ok - " + what, flush=True)
    else:
        failed += 1
        print("not ok - " + what, flush=True)


def browser(width, height, lang="zh-CN,zh"):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors",
              "--disable-dev-shm-usage", "--window-size=%d,%d" % (width, height)):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": lang})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    d.set_window_size(width, height)
    # a desktop window has a minimum width (about 500 px): a phone's is emulated
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return d


def wait_css(d, css, seconds=30):
    try:
        return WebDriverWait(d, seconds).until(
            EC.presence_of_element_located((By.CSS_SELECTOR, css)))
    except TimeoutException:
        return None


def sign_in(d, identity, password):
    d.get(BASE + "/signin")
    wait_css(d, "#identity")
    d.find_element(By.ID, "identity").send_keys(identity)
    d.find_element(By.ID, "password").send_keys(password)
    d.find_element(By.ID, "go").click()


def cookie_of(d):
    for c in d.get_cookies():
        if c["name"] == "__Host-gasweb":
            return c
    return None


def raw(method, path, cookie=None, body=None, headers=None):
    """One request outside the browser: (status, headers, body)."""
    ctx = ssl._create_unverified_context()
    c = http.client.HTTPSConnection(HOST.hostname, HOST.port, context=ctx, timeout=20)
    h = dict(headers or {})
    if cookie:
        h["Cookie"] = "__Host-gasweb=" + cookie
    if body is not None:
        h["Content-Type"] = "application/x-www-form-urlencoded"
        body = urllib.parse.urlencode(body)
    c.request(method, path, body=body, headers=h)
    r = c.getresponse()
    out = (r.status, dict((k.lower(), v) for k, v in r.getheaders()), r.read())
    c.close()
    return out


def png_colours(path):
    """How many distinct pixel byte values a PNG's image data has (1: blank)."""
    data = open(path, "rb").read()
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        return 0
    pos, idat = 8, b""
    while pos < len(data):
        n, kind = struct.unpack(">I4s", data[pos:pos + 8])
        if kind == b"IDAT":
            idat += data[pos + 8:pos + 8 + n]
        pos += 12 + n
    return len(set(zlib.decompress(idat)))


def shot(d, name):
    path = os.path.join(SHOTS, name)
    d.save_screenshot(path)
    check("screenshot %s is not blank" % name, png_colours(path) > 8)


def no_sideways_scroll(d):
    return d.execute_script(
        "return window.innerWidth == 360"
        " && document.documentElement.scrollWidth <= window.innerWidth")


