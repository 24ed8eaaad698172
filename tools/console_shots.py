#!/usr/bin/python3
"""Screenshots of the county console for `make demo` (tools/demo.sh).

usage: console_shots.py BASE_URL OUT_DIR IDENTITY PASSWORD [CODE]

Signs IDENTITY in with headless Chromium at a phone's size (360x740) and at
a desk's (1366x900), and saves the map, a trace of the first station (when
the identity may trace) and the public check page of CODE.
"""
import os
import sys
import urllib.parse

from selenium import webdriver
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.by import By
from selenium.webdriver.support import expected_conditions as EC
from selenium.webdriver.support.ui import WebDriverWait

base, out, identity, password = sys.argv[1:5]
code = sys.argv[5] if len(sys.argv) > 5 else None


def browser(width, height):
    o = webdriver.ChromeOptions()
    o.binary_location = "/usr/bin/chromium"
    for a in ("--headless=new", "--no-sandbox", "--disable-gpu", "--ignore-certificate-errors",
              "--disable-dev-shm-usage", "--window-size=%d,%d" % (width, height)):
        o.add_argument(a)
    o.add_experimental_option("prefs", {"intl.accept_languages": "zh-CN,zh"})
    d = webdriver.Chrome(service=Service("/usr/bin/chromedriver"), options=o)
    # a desktop window has a minimum width (about 500 px): a phone's is emulated
    d.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {
        "width": width, "height": height, "deviceScaleFactor": 1, "mobile": width < 600})
    return d


def wait(d, css):
    return WebDriverWait(d, 15).until(EC.presence_of_element_located((By.CSS_SELECTOR, css)))


for size, (w, h) in (("phone", (360, 740)), ("desk", (1366, 900))):
    d = browser(w, h)
    try:
        d.get(base + "/signin")
        wait(d, "#identity").send_keys(identity)
        d.find_element(By.ID, "password").send_keys(password)
        d.find_element(By.ID, "go").click()
        wait(d, "#map")
        d.save_screenshot(os.path.join(out, "console-%s-map.png" % size))
        ids = [e.text for e in d.find_elements(By.CSS_SELECTOR, "#stations .sid")]
        if ids and d.find_elements(By.CSS_SELECTOR, "a[href='/trace']"):
            d.get(base + "/trace?kind=station&key=" + urllib.parse.quote(ids[0]))
            wait(d, "main")
            d.save_screenshot(os.path.join(out, "console-%s-trace.png" % size))
        if code:
            d.get(base + "/c/" + urllib.parse.quote(code, safe=""))
            wait(d, "#verdict")
            d.save_screenshot(os.path.join(out, "console-%s-check.png" % size))
    finally:
        d.quit()
print("screenshots in " + out)
