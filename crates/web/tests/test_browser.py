"""Browser tests of the web app: headless Debian Chromium driven through chromedriver (selenium).

They do what a clinician does: create the radial mid-humerus case through the form, run the
prognosis and read the table and the plot, add a month-4 follow-up and see the answer change,
compare plans, open the day slider with its pictures (cross-section, needle EMG and its sound,
CMAP), run a diagnosis from findings and add the suggested test's result. Screenshots of
each step go to $REINNERVATE_TEST_OUT (default target/browser-tests/).

The server under test is started here on a free loopback port in a temporary directory (so its
SQLite database is new): $REINNERVATE_WEB_SERVER (a command taking the address as its last
argument), by default `target/release/reinnervate serve --bind`. They skip only when Chromium is absent and
REINNERVATE_BROWSER_TESTS is not set; scripts/test sets it, so in CI they run or fail.
"""

import json
import os
import shlex
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]
CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
REQUIRED = bool(os.environ.get("REINNERVATE_BROWSER_TESTS"))
OUT = Path(os.environ.get("REINNERVATE_TEST_OUT", ROOT / "target" / "browser-tests"))

if not (os.path.exists(CHROMIUM) and os.path.exists(CHROMEDRIVER)) and not REQUIRED:
    pytest.skip("Chromium is not installed and REINNERVATE_BROWSER_TESTS is not set", allow_module_level=True)

from selenium import webdriver  # noqa: E402
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.by import By  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402
from selenium.webdriver.support import expected_conditions as EC  # noqa: E402
from selenium.webdriver.support.ui import Select, WebDriverWait  # noqa: E402


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server():
    addr = f"127.0.0.1:{free_port()}"
    cmd = shlex.split(os.environ.get("REINNERVATE_WEB_SERVER", f"{ROOT / 'target/release/reinnervate'} serve --bind"))
    workdir = tempfile.mkdtemp(prefix="reinnervate-web-")
    proc = subprocess.Popen(cmd + [addr], cwd=workdir, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    deadline = time.time() + 60
    while time.time() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", int(addr.split(":")[1])), timeout=1):
                break
        except OSError:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited: {proc.stdout.read()}")
            time.sleep(0.2)
    else:
        proc.kill()
        raise RuntimeError("server did not answer within 60 s")
    yield f"http://{addr}"
    proc.terminate()
    proc.wait(timeout=10)
    shutil.rmtree(workdir, ignore_errors=True)


@pytest.fixture(scope="module")
def browser():
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    profile = tempfile.mkdtemp(prefix="reinnervate-chromium-")
    for a in ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
              "--disable-component-update", "--disable-sync", "--no-first-run", "--disable-dev-shm-usage",
              f"--user-data-dir={profile}", "--window-size=1280,1000"]:
        opts.add_argument(a)
    drv = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    drv.set_window_size(1280, 1000)
    yield drv
    drv.quit()
    shutil.rmtree(profile, ignore_errors=True)


def shot(drv, name):
    OUT.mkdir(parents=True, exist_ok=True)
    height = drv.execute_script("return document.documentElement.scrollHeight")
    width = drv.get_window_size()["width"]
    drv.set_window_size(width, min(max(height + 40, 600), 6000))
    drv.save_screenshot(str(OUT / f"{name}.png"))


def axe(drv):
    """axe-core (the copy axe-core-python ships; injected, nothing fetched) on the page as it is:
    the serious or critical violations of WCAG 2.1 A/AA or axe's best practices."""
    from axe_core_python.base import AXE_SCRIPT

    drv.execute_script(AXE_SCRIPT)
    res = drv.execute_async_script(
        "const done = arguments[arguments.length - 1];"
        "axe.run(document, {runOnly: {type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice']}})"
        ".then(done, (e) => done({error: String(e)}));")
    assert "error" not in res, res
    assert res["passes"], "axe-core checked nothing"
    return [(v["id"], v["impact"], [n["target"] for n in v["nodes"]][:3])
            for v in res["violations"] if v["impact"] in ("serious", "critical")]


def accessible(drv, page):
    bad = axe(drv)
    assert bad == [], f"axe-core on {page}: {bad}"


def api_json(server, path):
    with urllib.request.urlopen(server + path, timeout=30) as r:
        return json.load(r)


def wait(drv, cond, timeout=120):
    return WebDriverWait(drv, timeout).until(cond)


def css(drv, sel):
    return drv.find_element(By.CSS_SELECTOR, sel)


def set_value(drv, sel, value):
    el = css(drv, sel)
    el.clear()
    el.send_keys(str(value))


def unlabelled_controls(drv):
    return drv.execute_script("""
      return [...document.querySelectorAll('input, select, textarea, button')].filter(el =>
        !el.closest('label') && !el.getAttribute('aria-label') && !(el.tagName === 'BUTTON' && el.textContent.trim())
      ).map(el => el.outerHTML.slice(0, 80));""")


def brachioradialis_row(drv):
    rows = drv.find_elements(By.CSS_SELECTOR, "#result-prognosis table.prognosis tbody tr")
    for r in rows:
        if r.find_element(By.TAG_NAME, "th").text == "brachioradialis":
            return [td.text for td in r.find_elements(By.TAG_NAME, "td")]
    raise AssertionError("no brachioradialis row in the prognosis table")


def run_and_wait(drv, button_text, result_sel, previous=None):
    drv.find_element(By.XPATH, f"//button[normalize-space()='{button_text}']").click()
    def fresh(d):
        els = d.find_elements(By.CSS_SELECTOR, result_sel)
        return els[0] if els and (previous is None or els[0] != previous) else False
    return wait(drv, fresh)


def test_a_clinician_enters_the_radial_case_and_reads_prognosis_plans_and_diagnosis(server, browser):
    drv = browser
    drv.get(server + "/")
    wait(drv, EC.presence_of_element_located((By.XPATH, "//h1[text()='Cases']")))
    assert "not a medical device" in drv.page_source
    shot(drv, "01-case-list")
    accessible(drv, "the case list")

    # The form, as a new user fills it.
    drv.find_element(By.LINK_TEXT, "New case").click()
    wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "form[aria-label=Case] select[name=nerve]")))
    set_value(drv, "input[name=title]", "Radial nerve palsy, mid-shaft humeral fracture")
    set_value(drv, "input[name=age_years]", 150)  # a mistake first: the server's error must name the field
    Select(css(drv, "select[name=sex]")).select_by_value("male")
    set_value(drv, "input[name=height_cm]", 178)
    Select(css(drv, "select[name=nerve]")).select_by_value("radial")
    Select(css(drv, "select[name=site]")).select_by_value("mid_humerus")
    picker = css(drv, ".picker").text
    assert "brachioradialis" in picker and "below the site: affected" in picker and "above the site: spared" in picker
    Select(css(drv, "select[name=grade]")).select_by_value("unknown")
    for k, v in [("neurapraxia", 0.35), ("sunderland_2", 0.25), ("sunderland_3", 0.2), ("sunderland_4", 0.1), ("neurotmesis", 0.1)]:
        set_value(drv, f"input[name=prior_{k}]", v)
    date = css(drv, "input[name=injury_date]")
    drv.execute_script("arguments[0].value = '2026-03-02'; arguments[0].dispatchEvent(new Event('input'))", date)
    set_value(drv, "form[aria-label=Case] input[name=draws]", 60)
    set_value(drv, "form[aria-label=Case] input[name=seed]", 20260302)
    assert unlabelled_controls(drv) == []
    # Validation as you type: without saving, the server's check names the field, value, range.
    err = wait(drv, EC.visibility_of_element_located((By.CSS_SELECTOR, "form[aria-label=Case] .errors[role=status]")))
    assert "patient.age_years" in err.text and "150" in err.text and "between 0 and 110" in err.text
    assert css(drv, "input[name=age_years]").get_attribute("aria-invalid") == "true"
    assert "Revision" not in drv.page_source  # nothing was stored
    shot(drv, "02-case-form-validation")
    accessible(drv, "the case form with an error")
    set_value(drv, "input[name=age_years]", 34)
    wait(drv, lambda d: "complete and valid" in css(d, "form[aria-label=Case]").text)
    assert not drv.find_elements(By.CSS_SELECTOR, "form[aria-label=Case] [aria-invalid=true]")
    css(drv, "form[aria-label=Case] button[type=submit]").click()
    wait(drv, lambda d: "#/case/" in d.current_url)
    wait(drv, EC.presence_of_element_located((By.XPATH, "//button[normalize-space()='Run prognosis']")))
    assert "Revision 1" in drv.page_source

    # Prognosis: progress, then the table and the band plot with the window.
    run_and_wait(drv, "Run prognosis", "#result-prognosis table.prognosis")
    # Progress came by the job's Server-Sent Events, not by polling (the app counts the events).
    events = drv.execute_script("return Number(document.querySelector('progress').dataset.events || 0)")
    assert events >= 1, "no Server-Sent Event reached the progress bar"
    before = brachioradialis_row(drv)
    assert before[1].endswith("%")
    poly = css(drv, "#result-prognosis svg.band-plot polygon.band")
    assert len(poly.get_attribute("points").split()) > 20
    assert poly.size["width"] > 200 and poly.size["height"] > 5
    assert drv.find_elements(By.CSS_SELECTOR, "#result-prognosis svg.band-plot rect.window")
    assert "end-plate window" in css(drv, "#result-prognosis figure").text
    assert "not a medical device" in css(drv, "#result-prognosis").text
    assert "undefined" not in css(drv, "#result-prognosis").text
    shot(drv, "03-prognosis")

    # Month-4 follow-up: brachioradialis MRC 0, fibrillations 3+, no motor units.
    date = css(drv, "input[name=obs_date]")
    drv.execute_script("arguments[0].value = '2026-07-01'", date)
    Select(css(drv, "select[name=obs_muscle]")).select_by_value("brachioradialis")
    Select(css(drv, "select[name=obs_mrc]")).select_by_value("0")
    Select(css(drv, "select[name=obs_fib]")).select_by_value("3+")
    Select(css(drv, "select[name=obs_mup]")).select_by_value("none")
    Select(css(drv, "select[name=obs_rec]")).select_by_value("none")
    drv.find_element(By.XPATH, "//button[normalize-space()='Add follow-up']").click()
    wait(drv, lambda d: "Revision 2" in d.page_source)
    assert "2026-07-01" in css(drv, "#followup table").text
    assert "out of date" in css(drv, "#result-prognosis").text  # the stored result is stale now
    old = css(drv, "#result-prognosis table.prognosis")
    run_and_wait(drv, "Run prognosis", "#result-prognosis table.prognosis", previous=old)
    after = brachioradialis_row(drv)
    answer = css(drv, "#result-prognosis .answer").text
    assert "Wait or operate?" in answer
    assert css(drv, "#result-prognosis table.grades").text.count("%") >= 10
    assert after != before, f"the follow-up did not change the brachioradialis prognosis: {before} vs {after}"
    shot(drv, "04-prognosis-after-follow-up")
    css(drv, "#result-prognosis").screenshot(str(OUT / "04b-prognosis-result.png"))

    # Plans, ranked with reasons.
    run_and_wait(drv, "Compare plans", "#result-plans ol.plans")
    plans = drv.find_elements(By.CSS_SELECTOR, "#result-plans ol.plans > li")
    assert len(plans) >= 2
    assert all(p.find_elements(By.CSS_SELECTOR, "ul li") for p in plans)
    assert "not a medical device" in css(drv, "#result-plans").text
    assert "undefined" not in css(drv, "#result-plans").text and "Radial nerve palsy" in css(drv, "#plans-h").text
    shot(drv, "05-plans")

    # Day by day: one simulation, a day slider; the page shows the API's readings of that day.
    run_and_wait(drv, "Simulate day by day", "#result-simulate input.day-slider")
    Select(css(drv, "select[name=day_muscle]")).select_by_value("brachioradialis")
    slider = css(drv, "#result-simulate input.day-slider")
    assert slider.get_attribute("aria-valuetext") and unlabelled_controls(drv) == []
    slider.send_keys(Keys.HOME)
    day0 = css(drv, "#result-simulate .day-now").text
    assert day0.startswith("Day 0 after the injury")
    for _ in range(5):
        slider.send_keys(Keys.PAGE_UP)  # the keyboard moves the slider
    day = int(slider.get_attribute("value"))
    assert day > 0 and css(drv, "#result-simulate .day-now").text.startswith(f"Day {day} after")
    mark = css(drv, "#result-simulate svg.day-strip line.today")
    assert float(mark.get_attribute("x1")) > 56
    job = api_json(server, "/v1/cases/" + drv.current_url.split("#/case/")[1] + "/results")
    sim = next(j for j in job if j["op"] == "simulate" and j["status"] == "done")["result"]
    run = next(r for r in sim["runs"] if r["muscle"] == "brachioradialis")
    r = run["readings"][day]
    cards = css(drv, "#result-simulate .cards").text
    assert f"{r['cmap']['distal_mv']:.1f} mV" in cards, (r["cmap"], cards)
    assert f"MRC {r['strength']['mrc']}" in css(drv, "#result-simulate .day-now").text
    assert "Needle EMG" in cards and "not a medical device" in css(drv, "#result-simulate").text

    # The pictures of the day: one snapshot run of the muscle (from the public API), then the
    # slider shows the pictured day nearest to its day without a new run.
    run_and_wait(drv, "Show pictures", "#result-simulate img.cross-section")
    decoded = "return arguments[0].complete && arguments[0].naturalWidth"
    for sel in ["img.cross-section", "img.emg-rest", "img.emg-effort", "img.cmap"]:
        img = css(drv, "#result-simulate " + sel)
        wait(drv, lambda d: d.execute_script(decoded, img) > 0, timeout=30)
        assert img.get_attribute("alt"), sel
    section = css(drv, "#result-simulate img.cross-section")
    assert "brachioradialis" in section.get_attribute("alt") and "/v1/jobs/" in section.get_attribute("src")
    audio = css(drv, "#result-simulate audio.emg-rest")
    wav = audio.get_attribute("src")
    assert wav.startswith(server + "/v1/jobs/") and wav.endswith("/emg_rest.wav") and audio.get_attribute("aria-label")
    with urllib.request.urlopen(wav, timeout=30) as resp:
        assert resp.headers["Content-Type"] == "audio/wav" and resp.read(4) == b"RIFF"
    note = css(drv, "#result-simulate .pictured-day").text
    assert note.startswith("Pictures of day"), note
    # Another stain from the keyboard-reachable select: the same field, another picture.
    Select(css(drv, "#result-simulate select[name=stain]")).select_by_value("cross_section_he")
    wait(drv, lambda d: css(d, "#result-simulate img.cross-section").get_attribute("src").endswith("/cross_section_he.svg"))
    wait(drv, lambda d: d.execute_script(decoded, css(d, "#result-simulate img.cross-section")) > 0, timeout=30)
    assert unlabelled_controls(drv) == []
    shot(drv, "05b-day-by-day")
    css(drv, "#result-simulate").screenshot(str(OUT / "05c-day-by-day-result.png"))
    slider.send_keys(Keys.END)
    last = int(slider.get_attribute("value"))
    wait(drv, lambda d: css(d, "#result-simulate .pictured-day").text == f"Pictures of day {last}.")
    # A stand-in muscle (run with the brachioradialis's pool) offers no pictures under its name.
    Select(css(drv, "select[name=day_muscle]")).select_by_value("extensor_carpi_radialis_longus")
    wait(drv, lambda d: "brachioradialis's motor-unit pool" in css(d, "#result-simulate .pictured-day").text)
    assert not drv.find_elements(By.XPATH, "//section[contains(@class,'pictures')]//button[normalize-space()='Show pictures']")
    assert not drv.find_elements(By.CSS_SELECTOR, "#result-simulate img.cross-section")
    Select(css(drv, "select[name=day_muscle]")).select_by_value("brachioradialis")
    wait(drv, lambda d: css(d, "#result-simulate .pictured-day").text.startswith("Pictures of day"))
    accessible(drv, "the case page with prognosis, plans and the day slider")

    # A phone screen (every result and the day slider open): nothing wider than the screen,
    # only tables scroll.
    drv.set_window_size(390, 900)
    overflow = drv.execute_script("return document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, f"the page is {overflow}px wider than a 390px screen"
    shot(drv, "06-phone-390")
    drv.set_window_size(1280, 1000)

    # Diagnosis from findings, then the suggested test's result.
    drv.get(server + "/#/diagnose")
    wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "select[name='history.onset']")))
    assert unlabelled_controls(drv) == []
    legends = [e.text for e in drv.find_elements(By.CSS_SELECTOR, "form[aria-label=Findings] legend")]
    assert legends[:3] == ["Patient", "History", "Examination"] and "Needle EMG" in legends
    Select(css(drv, "select[name='history.onset']")).select_by_value("acute")
    Select(css(drv, "select[name='exam.side']")).select_by_value("unilateral")
    Select(css(drv, "select[name='exam.weakness']")).select_by_value("severe")
    css(drv, "form[aria-label=Findings] button[type=submit]").click()
    dx = wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "section.result h2#dx-h")))
    first = css(drv, "section.result").text
    assert "Category" in first and "%" in first and "Next best test" in first and "not a medical device" in first
    shot(drv, "07-diagnosis")
    picks = drv.find_elements(By.CSS_SELECTOR, "section.result ol select")
    assert picks, "no next test offered with a result to add"
    opts = Select(picks[0]).options
    Select(picks[0]).select_by_index(len(opts) - 1)
    drv.find_element(By.XPATH, "//section[contains(@class,'result')]//button[normalize-space()='Add this result']").click()
    wait(drv, EC.staleness_of(dx))
    second = css(drv, "section.result").text
    assert second != first
    shot(drv, "08-diagnosis-after-next-test")
    accessible(drv, "the diagnosis page with its differential")
    # The check can fail: an unlabelled control put on the page is caught.
    drv.execute_script("document.querySelector('main').append(document.createElement('input'))")
    assert any(v[0] == "label" for v in axe(drv))


def test_a_stored_graft_keeps_its_method_when_the_case_is_edited_and_saved(server, browser):
    """A case saved with a graft repair opens in the editor as a graft (not reset to the form's
    default, a primary repair), and saving it again stores the graft unchanged."""
    case = {
        "title": "Common fibular nerve, 40 mm graft at six weeks",
        "patient": {"age_years": 30, "sex": "male", "height_cm": 180},
        "injury": [{"nerve": "common_fibular", "site": "fibular_neck", "grade": "neurotmesis", "date": "2026-01-05"}],
        "treatment": [{"kind": "repair", "method": "graft", "graft_length_mm": 40, "date": "2026-02-16"}],
        "settings": {"draws": 20, "seed": 5},
    }
    req = urllib.request.Request(server + "/v1/cases", data=json.dumps(case).encode(), method="POST",
                                 headers={"Content-Type": "application/json", "Accept": "application/json"})
    with urllib.request.urlopen(req, timeout=30) as r:
        case_id = json.load(r)["case_id"]
    drv = browser
    drv.get(server + f"/#/case/{case_id}")
    method = wait(drv, EC.presence_of_element_located((By.CSS_SELECTOR, "form[aria-label=Case] select[name=method]")))
    assert Select(method).first_selected_option.get_attribute("value") == "graft"
    assert css(drv, "form[aria-label=Case] input[name=graft_length_mm]").get_attribute("value") == "40"
    drv.find_element(By.XPATH, "//summary[normalize-space()='Edit the case']").click()  # a stored case's form is folded
    css(drv, "form[aria-label=Case] button[type=submit]").click()
    wait(drv, lambda d: api_json(server, f"/v1/cases/{case_id}")["rev"] == 2)
    stored = json.loads(api_json(server, f"/v1/cases/{case_id}")["body"])
    repair = (stored.get("treatment") or stored.get("treatments"))[0]
    assert repair["method"] == "graft" and repair["graft_length_mm"] == 40, repair
