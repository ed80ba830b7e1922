// reinnervate web app: plain JavaScript, no library, no build step. It talks only to the server's
// public JSON API (/v1/...). Hash routes: #/ (cases), #/new, #/case/ID, #/diagnose.
"use strict";

const DISCLAIMER = "Research and teaching software, not a medical device: do not use it to make clinical decisions.";
const GRADES = [
  ["unknown", "unknown (use a prior over grades)"],
  ["neurapraxia", "neurapraxia (Sunderland I)"],
  ["sunderland_2", "axonotmesis, Sunderland II"],
  ["sunderland_3", "Sunderland III"],
  ["sunderland_4", "Sunderland IV"],
  ["neurotmesis", "neurotmesis (Sunderland V)"],
];
const PRIOR_KEYS = ["neurapraxia", "sunderland_2", "sunderland_3", "sunderland_4", "neurotmesis"];
let atlasCache = null;
let schemaCache = null;

// ------------------------------------------------------------------ small helpers

function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on")) el.addEventListener(k.slice(2), v);
    else if (k === "text") el.textContent = v;
    else el.setAttribute(k, v === true ? "" : v);
  }
  for (const c of children.flat()) {
    if (c === null || c === undefined || c === false) continue;
    el.append(c instanceof Node ? c : document.createTextNode(String(c)));
  }
  return el;
}

let uid = 0;
function nextId(prefix) { uid += 1; return `${prefix}-${uid}`; }

// A labelled control: label wraps the control, so every control has its label.
function field(labelText, control) {
  return h("label", {}, labelText, control);
}

function select(name, options, value, attrs) {
  const s = h("select", Object.assign({ name }, attrs || {}));
  for (const o of options) {
    const [v, t] = Array.isArray(o) ? o : [o, o];
    const opt = h("option", { value: v }, t);
    if (String(v) === String(value ?? "")) opt.selected = true;
    s.append(opt);
  }
  return s;
}

function pct(p) { return p === null || p === undefined ? "–" : `${Math.round(p * 100)}%`; }
function num(x, digits) { return x === null || x === undefined ? "never" : Number(x).toFixed(digits ?? 0); }
function q(x, digits) {
  if (!x) return "–";
  const m = x.median === null ? "never" : num(x.median, digits);
  return `${m} (${x.p10 === null ? "never" : num(x.p10, digits)}–${x.p90 === null ? "never" : num(x.p90, digits)})`;
}
function nice(id) { return String(id).replace(/_/g, " "); }

async function api(method, path, body, contentType) {
  const opts = { method, headers: { Accept: "application/json" } };
  if (body !== undefined) {
    opts.body = typeof body === "string" ? body : JSON.stringify(body);
    opts.headers["Content-Type"] = contentType || "application/json";
  }
  let res;
  try {
    res = await fetch(path, opts);
  } catch (e) {
    return { ok: false, status: 0, data: { title: "The server did not answer", detail: String(e) } };
  }
  const text = await res.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = { detail: text }; }
  return { ok: res.ok, status: res.status, data };
}

// A problem-details answer as readable lines, naming field, value and what was expected.
function problemLines(p) {
  if (!p) return ["The server gave no details."];
  const lines = [];
  const main = p.field
    ? `${p.field}: ${p.value !== undefined ? `got ${p.value}; ` : ""}expected ${p.expected ?? "(see detail)"}`
    : (p.detail || p.title || "Error");
  lines.push(main);
  for (const e of p.errors || []) lines.push(`${e.field ?? ""}: ${e.detail ?? e.expected ?? ""}`);
  return lines;
}

// Shows a problem in the error box and on the field it names. `live` (validation as you type):
// announced politely and the focus stays where the user is typing.
function showErrors(box, form, p, live) {
  box.replaceChildren(h("strong", {}, "Please check: "), h("ul", {}, problemLines(p).map((l) => h("li", {}, l))));
  box.setAttribute("role", live ? "status" : "alert");
  if (form && p && p.field) {
    const best = controlFor(form, p.field);
    if (best) {
      best.setAttribute("aria-invalid", "true");
      const msg = h("div", { class: "field-error", id: nextId("err") }, problemLines(p)[0]);
      best.setAttribute("aria-describedby", msg.id);
      best.closest("label")?.append(msg);
      if (!live) best.focus();
    }
  }
}

// The most specific control of the form whose data-field is the error's field or a prefix of it.
function controlFor(form, field) {
  const path = String(field);
  let best = null;
  for (const el of form.querySelectorAll("[data-field]")) {
    const f = el.getAttribute("data-field");
    if ((path === f || path.startsWith(f + ".") || path.startsWith(f + "[")) && (!best || f.length > best.getAttribute("data-field").length)) best = el;
  }
  return best;
}

function clearErrors(box, form) {
  box.replaceChildren();
  box.removeAttribute("role");
  if (!form) return;
  for (const el of form.querySelectorAll("[aria-invalid]")) el.removeAttribute("aria-invalid");
  for (const el of form.querySelectorAll(".field-error")) el.remove();
}

function disclaimerNote(text) {
  return h("p", { class: "disclaimer-inline" }, text || DISCLAIMER);
}

async function atlas() {
  if (!atlasCache) {
    const r = await api("GET", "/v1/atlas");
    if (!r.ok) throw new Error("atlas: " + problemLines(r.data).join("; "));
    atlasCache = r.data;
  }
  return atlasCache;
}

function setMain(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children);
  return main;
}

// ------------------------------------------------------------------ router

async function route() {
  const hash = location.hash || "#/";
  const m = hash.match(/^#\/case\/([^/]+)$/);
  try {
    if (hash === "#/" || hash === "#") await caseList();
    else if (hash === "#/new") await caseEditor(null, null);
    else if (hash.startsWith("#/new?copy=")) await caseEditor(null, decodeURIComponent(hash.slice(11)));
    else if (m) await caseEditor(decodeURIComponent(m[1]), null);
    else if (hash === "#/diagnose") await diagnosePage();
    else setMain(h("h1", {}, "Not found"), h("p", {}, h("a", { href: "#/" }, "Back to the cases")));
  } catch (e) {
    setMain(h("h1", {}, "Something went wrong"), h("p", { class: "errors", role: "alert" }, String(e.message || e)));
  }
  document.getElementById("main").focus();
}
window.addEventListener("hashchange", route);
window.addEventListener("DOMContentLoaded", route);

// ------------------------------------------------------------------ case list

async function caseList() {
  const errors = h("div", { class: "errors" });
  const search = h("input", { type: "search", name: "title", placeholder: "part of a title" });
  const body = h("tbody");
  const table = h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "muted" }, "Your stored cases, newest first"),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Title"), h("th", { scope: "col" }, "Revision"),
      h("th", { scope: "col" }, "Last changed"), h("th", { scope: "col" }, "Actions"))), body));
  async function load() {
    const qs = search.value ? `?title=${encodeURIComponent(search.value)}` : "";
    const r = await api("GET", "/v1/cases" + qs);
    if (!r.ok) { showErrors(errors, null, r.data); return; }
    body.replaceChildren();
    if (!r.data.items.length) body.append(h("tr", {}, h("td", { colspan: 4 }, "No case yet. Start with “New case”.")));
    for (const c of r.data.items) {
      body.append(h("tr", {},
        h("td", {}, h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, c.title)),
        h("td", { class: "num" }, c.latest_rev),
        h("td", {}, String(c.updated_at).replace("T", " ").slice(0, 16)),
        h("td", {}, h("div", { class: "row" },
          h("a", { href: `#/case/${encodeURIComponent(c.id)}` }, "Open"),
          h("a", { href: `#/new?copy=${encodeURIComponent(c.id)}` }, "Copy"),
          h("button", { type: "button", class: "danger", "aria-label": `Delete ${c.title}`, onclick: async () => {
            if (!confirm(`Delete “${c.title}” and all its revisions and results?`)) return;
            const d = await api("DELETE", `/v1/cases/${encodeURIComponent(c.id)}`);
            if (!d.ok) showErrors(errors, null, d.data); else load();
          } }, "Delete")))));
    }
  }
  setMain(
    h("h1", {}, "Cases"),
    h("p", {}, "A case is one patient's nerve injury: who, which nerve and where, how severe, what was done and what was seen at follow-up. Open a case to run its prognosis and compare treatment plans."),
    h("div", { class: "row" }, h("a", { href: "#/new" }, h("button", { type: "button", class: "primary", tabindex: "-1" }, "New case")),
      h("form", { class: "row", role: "search", onsubmit: (e) => { e.preventDefault(); load(); } },
        field("Find by title", search), h("button", { type: "submit" }, "Find"))),
    errors, table);
  await load();
}

// ------------------------------------------------------------------ case editor

function siteById(a, id) { return a.sites.find((s) => s.id === id); }
function nerveEntry(a, id) { return a.nerves.find((n) => n.nerve.id === id); }

// The muscles a nerve supplies, in branching order, each marked above or below the site.
function pickerList(a, nerveId, siteId) {
  const n = nerveEntry(a, nerveId);
  const site = siteById(a, siteId);
  if (!n) return h("p", { class: "muted" }, "Choose a nerve.");
  const muscles = [...n.muscles].sort((x, y) => x.position_mm - y.position_mm);
  const below = muscles.filter((m) => site && m.position_mm > site.position_mm);
  return h("div", { class: "picker" },
    h("p", {}, site ? `${n.nerve.name} at ${nice(site.id)}: ${site.description} (${site.position_mm} mm). ` : "",
      h("strong", {}, site ? `${below.length} of ${muscles.length} muscles lie below the site and lose their nerve supply.` : "Choose a site.")),
    h("ol", { "aria-label": `Muscles of the ${n.nerve.name} nerve in branching order` },
      muscles.map((m) => {
        const isBelow = site && m.position_mm > site.position_mm;
        return h("li", { class: isBelow ? "below" : "above" }, `${nice(m.id)} `,
          h("span", { class: "muted" }, `${Math.round(m.position_mm)} mm`),
          h("span", { class: "tag" }, isBelow ? "below the site: affected" : "above the site: spared"));
      })));
}

function injuryEditor(a, inj, index, onChange) {
  const path = `injury[${index}]`;
  const box = h("fieldset", { class: "item injury" }, h("legend", {}, `Injury ${index + 1}`));
  const nerves = a.nerves.map((n) => [n.nerve.id, `${n.nerve.name}`]);
  const nerveSel = select("nerve", [["", "— choose —"], ...nerves], inj.nerve, { "data-field": `${path}.nerve`, required: true });
  const siteSel = select("site", [["", "— choose —"]], "", { "data-field": `${path}.site`, required: true });
  const pickerBox = h("div", { "aria-live": "polite" });
  function fillSites() {
    const n = nerveEntry(a, nerveSel.value);
    siteSel.replaceChildren(h("option", { value: "" }, "— choose —"));
    for (const sid of n ? n.sites : []) {
      const s = siteById(a, sid);
      const opt = h("option", { value: sid }, `${nice(sid)}${s ? ` (${s.position_mm} mm)` : ""}`);
      if (sid === inj.site) opt.selected = true;
      siteSel.append(opt);
    }
  }
  function refresh() { pickerBox.replaceChildren(pickerList(a, nerveSel.value, siteSel.value)); }
  nerveSel.addEventListener("change", () => { inj.nerve = nerveSel.value; inj.site = ""; fillSites(); refresh(); onChange(); });
  siteSel.addEventListener("change", () => { inj.site = siteSel.value; refresh(); onChange(); });
  fillSites(); refresh();

  const grade = select("grade", GRADES, inj.grade || "unknown", { "data-field": `${path}.grade` });
  const priorBox = h("fieldset", { class: "prior" }, h("legend", {}, "Prior over grades (weights; leave all empty for the default prior of data/clinic/unknown_grade.toml)"));
  const priorInputs = {};
  const priorGrid = h("div", { class: "grid" });
  for (const k of PRIOR_KEYS) {
    priorInputs[k] = h("input", { type: "number", min: "0", step: "any", name: `prior_${k}`, value: inj.prior?.[k] ?? "", "data-field": `${path}.prior.${k}` });
    priorInputs[k].addEventListener("input", () => {
      inj.prior = inj.prior || {};
      if (priorInputs[k].value === "") delete inj.prior[k]; else inj.prior[k] = Number(priorInputs[k].value);
      if (!Object.keys(inj.prior).length) delete inj.prior;
    });
    priorGrid.append(field(nice(k), priorInputs[k]));
  }
  priorBox.append(priorGrid);
  function showPrior() { priorBox.hidden = grade.value !== "unknown"; }
  grade.addEventListener("change", () => { inj.grade = grade.value; if (grade.value !== "unknown") delete inj.prior; showPrior(); });
  showPrior();

  const extent = h("input", { type: "number", min: "0", max: "1", step: "0.05", name: "extent", value: inj.extent ?? "", "data-field": `${path}.extent` });
  extent.addEventListener("input", () => { if (extent.value === "") delete inj.extent; else inj.extent = Number(extent.value); });
  const date = h("input", { type: "date", name: "injury_date", value: inj.date || "", required: true, "data-field": `${path}.date` });
  date.addEventListener("input", () => { inj.date = date.value; });
  const mech = h("input", { type: "text", name: "mechanism", value: inj.mechanism || "", "data-field": `${path}.mechanism` });
  mech.addEventListener("input", () => { if (mech.value) inj.mechanism = mech.value; else delete inj.mechanism; });

  box.append(
    h("div", { class: "grid" }, field("Nerve", nerveSel), field("Site of the injury", siteSel),
      field("Grade", grade), field("Extent (fraction of axons, 0–1; empty = all)", extent),
      field("Date of injury", date), field("Mechanism (free text)", mech)),
    priorBox, pickerBox);
  return box;
}

function treatmentEditor(t, index, onRemove) {
  const path = `treatment[${index}]`;
  const box = h("fieldset", { class: "item treatment" }, h("legend", {}, `Treatment ${index + 1}`));
  const kind = select("kind", [["repair", "surgical repair"], ["stimulation", "electrical stimulation"], ["disuse", "disuse"], ["rehabilitation", "rehabilitation"]], t.kind || "repair", { "data-field": `${path}.kind` });
  const grid = h("div", { class: "grid" });
  function input(key, type, labelText, extra) {
    const el = h("input", Object.assign({ type, name: key, value: t[key] ?? "", "data-field": `${path}.${key}` }, extra || {}));
    el.addEventListener("input", () => {
      if (el.value === "") delete t[key]; else t[key] = type === "number" ? Number(el.value) : el.value;
    });
    return field(labelText, el);
  }
  function render() {
    for (const k of Object.keys(t)) if (k !== "kind") delete t[k];
    grid.replaceChildren(field("Kind", kind));
    if (kind.value === "repair") {
      const method = select("method", [["primary", "primary (direct) repair"], ["graft", "nerve graft"], ["transfer", "distal nerve transfer"]], t.method || "primary", { "data-field": `${path}.method` });
      method.addEventListener("change", () => { t.method = method.value; });
      t.method = method.value;
      grid.append(field("Method", method), input("date", "date", "Date"), input("graft_length_mm", "number", "Graft length (mm, graft only)", { min: "0", step: "any" }),
        input("transfer", "text", "Transfer (atlas id, transfer only)"), input("note", "text", "Note"));
    } else {
      // Stimulation, disuse and rehabilitation: a period (the last day included) and what is done.
      function word(key, options, labelText) {
        const el = select(key, options, t[key] || options[0][0], { "data-field": `${path}.${key}` });
        el.addEventListener("change", () => { t[key] = el.value; });
        t[key] = el.value;
        return field(labelText, el);
      }
      const what = kind.value === "stimulation"
        ? input("hours_per_day", "number", "Hours per day", { min: "0", step: "any" })
        : kind.value === "disuse"
          ? word("model", [["immobilization", "immobilization (cast)"], ["unloading", "unloading (limb suspension)"], ["bed_rest", "bed rest"], ["paralysis", "paralysis (never activated)"]], "Model")
          : word("programme", [["range_of_motion", "range of motion"], ["progressive_resistance", "progressive resistance"]], "Programme");
      grid.append(input("start_date", "date", "First day"), input("end_date", "date", "Last day"), what, input("note", "text", "Note"));
    }
  }
  kind.addEventListener("change", () => { t.kind = kind.value; render(); });
  t.kind = kind.value;
  const keep = Object.assign({}, t);
  render();
  Object.assign(t, keep);
  for (const el of grid.querySelectorAll("input, select")) if (keep[el.name] !== undefined) el.value = keep[el.name];
  box.append(grid, h("button", { type: "button", onclick: onRemove }, `Remove treatment ${index + 1}`));
  return box;
}

function emptyCase() {
  return {
    title: "",
    patient: { age_years: 40 },
    injury: [{ nerve: "", site: "", grade: "unknown", date: new Date().toISOString().slice(0, 10) }],
    settings: { horizon_days: 730, draws: 200, seed: 1 },
  };
}

function parseBody(rev) {
  if (rev.format === "json" || String(rev.body).trim().startsWith("{")) return JSON.parse(rev.body);
  return null;
}

function normaliseCase(c) {
  for (const [from, to] of [["injuries", "injury"], ["treatments", "treatment"], ["observations", "observation"], ["followup", "observation"]]) {
    if (c[from] && !c[to]) { c[to] = c[from]; delete c[from]; }
  }
  c.patient = c.patient || {};
  c.injury = c.injury || [];
  c.settings = c.settings || {};
  return c;
}

// The muscles below the site of every injury, in branching order (for the follow-up form).
function affectedMuscles(a, c) {
  const out = [];
  for (const inj of c.injury || []) {
    const n = nerveEntry(a, inj.nerve);
    const s = siteById(a, inj.site);
    if (!n || !s) continue;
    for (const m of [...n.muscles].sort((x, y) => x.position_mm - y.position_mm)) {
      if (m.position_mm > s.position_mm && !out.includes(m.id)) out.push(m.id);
    }
  }
  return out;
}

async function caseEditor(id, copyFrom) {
  const a = await atlas();
  let c = emptyCase();
  let rev = null;
  let storedAsToml = false;
  if (id || copyFrom) {
    const r = await api("GET", `/v1/cases/${encodeURIComponent(id || copyFrom)}`);
    if (!r.ok) { setMain(h("h1", {}, "Case"), h("div", { class: "errors", role: "alert" }, problemLines(r.data).join("; "))); return; }
    rev = r.data;
    const parsed = parseBody(rev);
    if (parsed) c = normaliseCase(parsed); else storedAsToml = true;
    if (copyFrom) { c.title = `Copy of ${rev.title}`; rev = null; }
  }
  const errors = h("div", { class: "errors" });
  const status = h("p", { class: "muted", "aria-live": "polite" });
  const form = h("form", { novalidate: true, "aria-label": "Case" });

  const title = h("input", { type: "text", name: "title", value: c.title || "", required: true, "data-field": "title" });
  title.addEventListener("input", () => { c.title = title.value; });
  const p = c.patient;
  function pInput(key, type, labelText, extra) {
    const el = h("input", Object.assign({ type, name: key, value: p[key] ?? "", "data-field": `patient.${key}` }, extra || {}));
    el.addEventListener("input", () => { if (el.value === "") delete p[key]; else p[key] = Number(el.value); });
    return field(labelText, el);
  }
  const sex = select("sex", [["", "not given"], ["female", "female"], ["male", "male"]], p.sex || "", { "data-field": "patient.sex" });
  sex.addEventListener("change", () => { if (sex.value) p.sex = sex.value; else delete p.sex; });
  const diabetes = h("input", { type: "checkbox", name: "diabetes", "data-field": "patient.diabetes" });
  diabetes.checked = !!p.diabetes;
  diabetes.addEventListener("change", () => { p.diabetes = diabetes.checked; });
  const smoking = h("input", { type: "checkbox", name: "smoking", "data-field": "patient.smoking" });
  smoking.checked = !!p.smoking;
  smoking.addEventListener("change", () => { p.smoking = smoking.checked; });
  const protein = h("input", { type: "checkbox", name: "protein_supplement", "data-field": "patient.protein_supplement" });
  protein.checked = !!p.protein_supplement;
  protein.addEventListener("change", () => { p.protein_supplement = protein.checked; });

  const injuries = h("div");
  function renderInjuries() {
    injuries.replaceChildren(...c.injury.map((inj, i) => {
      const ed = injuryEditor(a, inj, i, () => {});
      if (c.injury.length > 1) ed.append(h("button", { type: "button", onclick: () => { c.injury.splice(i, 1); renderInjuries(); } }, `Remove injury ${i + 1}`));
      return ed;
    }));
  }
  renderInjuries();
  c.treatment = c.treatment || [];
  const treatments = h("div");
  function renderTreatments() {
    treatments.replaceChildren(...c.treatment.map((t, i) => treatmentEditor(t, i, () => { c.treatment.splice(i, 1); renderTreatments(); })));
  }
  renderTreatments();
  const s = c.settings;
  function sInput(key, labelText, extra) {
    const el = h("input", Object.assign({ type: "number", name: key, value: s[key] ?? "", "data-field": `settings.${key}` }, extra || {}));
    el.addEventListener("input", () => { if (el.value === "") delete s[key]; else s[key] = Number(el.value); });
    return field(labelText, el);
  }

  form.append(
    h("fieldset", {}, h("legend", {}, "Case"), field("Title", title)),
    h("fieldset", {}, h("legend", {}, "Patient"), h("div", { class: "grid" },
      pInput("age_years", "number", "Age (years)", { step: "any" }), field("Sex", sex),
      pInput("height_cm", "number", "Height (cm)", { step: "any" }),
      h("label", { class: "check" }, diabetes, "Diabetes"), h("label", { class: "check" }, smoking, "Smoking"), h("label", { class: "check" }, protein, "Protein supplement"))),
    h("h2", {}, "Injuries"), injuries,
    h("button", { type: "button", onclick: () => { c.injury.push({ nerve: "", site: "", grade: "unknown", date: c.injury[0]?.date || "" }); renderInjuries(); } }, "Add injury"),
    h("h2", {}, "Treatments"), treatments,
    h("button", { type: "button", onclick: () => { c.treatment.push({ kind: "repair" }); renderTreatments(); } }, "Add treatment"),
    h("h2", {}, "Settings"),
    h("fieldset", {}, h("legend", {}, "Monte Carlo"), h("div", { class: "grid" },
      sInput("horizon_days", "Horizon (days)", { min: "1", max: "3650" }), sInput("draws", "Draws", { min: "1" }), sInput("seed", "Seed", { min: "0" }))),
    errors,
    h("div", { class: "row" }, h("button", { type: "submit", class: "primary" }, rev ? "Save as a new revision" : "Create case"), status));

  // Validation as you type: a moment after the last change the server checks the case as it
  // stands (POST /v1/validate/case: nothing stored or run) and its error, naming the field, the
  // value and what was expected, appears on that field; a newer check supersedes an older one.
  let timer = null;
  let checks = 0;
  async function check() {
    const mine = ++checks;
    const r = await api("POST", "/v1/validate/case", JSON.stringify(c));
    if (mine !== checks) return;
    clearErrors(errors, form);
    if (!r.ok) { showErrors(errors, form, r.data, true); return; }
    if (r.data.ok) { status.textContent = "The case is complete and valid."; return; }
    const p = (r.data.errors || [])[0];
    const el = p && p.field ? controlFor(form, p.field) : null;
    // An error on a field not yet filled in is what is still to do, not a mistake.
    if (el && !el.dataset.touched) { status.textContent = `Still to fill in: ${problemLines(p)[0]}`; return; }
    status.textContent = "";
    showErrors(errors, form, p, true);
  }
  const later = (e) => {
    if (e.target?.dataset) e.target.dataset.touched = "1";
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  };
  form.addEventListener("input", later);
  form.addEventListener("change", later);

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearTimeout(timer);
    checks++;
    clearErrors(errors, form);
    const bad = [...form.querySelectorAll("input, select")].find((el) => !el.checkValidity());
    if (bad) {
      showErrors(errors, form, { field: bad.getAttribute("data-field") || bad.name, value: JSON.stringify(bad.value), expected: bad.validationMessage || "a valid value" });
      return;
    }
    const body = JSON.stringify(c);
    status.textContent = "Saving…";
    const r = rev
      ? await api("PUT", `/v1/cases/${encodeURIComponent(rev.case_id)}`, body)
      : await api("POST", "/v1/cases", body);
    if (!r.ok) { status.textContent = ""; showErrors(errors, form, r.data); return; }
    status.textContent = `Saved: revision ${r.data.rev}.`;
    if (!rev) location.hash = `#/case/${encodeURIComponent(r.data.case_id)}`;
    else await caseEditor(r.data.case_id, null);
  });

  const heading = h("h1", {}, rev ? rev.title : copyFrom ? "New case (copy)" : "New case");
  if (storedAsToml) {
    setMain(heading, h("p", {}, "This case was stored as a TOML file (from the command line); the form edits cases stored as JSON. Its text:"), h("pre", {}, rev.body));
  } else {
    setMain(heading, rev ? h("p", { class: "muted" }, `Revision ${rev.rev}, saved ${rev.created_at}. `, h("a", { href: `#/new?copy=${encodeURIComponent(rev.case_id)}` }, "Copy this case")) : "",
      h("details", { open: !rev }, h("summary", {}, rev ? "Edit the case" : "The case"), form));
  }
  if (!rev) return;
  const main = document.getElementById("main");
  main.append(await followUpSection(a, c, rev), runSection(rev), daySection(rev), await revisionsSection(rev));
  await showStoredResults(rev);
}

// ------------------------------------------------------------------ follow-up

async function followUpSection(a, c, rev) {
  const obs = c.observation || [];
  const list = h("div", { class: "table-wrap" }, h("table", {},
    h("caption", { class: "muted" }, "Follow-up observations on the timeline"),
    h("thead", {}, h("tr", {}, ["Date", "Muscle", "MRC", "Fibrillations", "MUPs", "Recruitment", "CMAP"].map((t) => h("th", { scope: "col" }, t)))),
    h("tbody", {}, obs.length ? [...obs].sort((x, y) => String(x.date || x.day).localeCompare(String(y.date || y.day))).map((o) => h("tr", {},
      h("td", {}, o.date || `day ${o.day}`), h("td", {}, nice(o.muscle)), h("td", {}, o.mrc ?? "–"),
      h("td", {}, o.emg?.fibrillations ?? "–"), h("td", {}, o.emg?.mup ?? "–"), h("td", {}, o.emg?.recruitment ?? "–"), h("td", {}, o.ncs?.cmap ?? "–")))
      : h("tr", {}, h("td", { colspan: 7 }, "None yet.")))));
  const muscles = affectedMuscles(a, c);
  const errors = h("div", { class: "errors" });
  const form = h("form", { "aria-label": "Add a follow-up observation", novalidate: true });
  const date = h("input", { type: "date", name: "obs_date", required: true, "data-field": "observations[0].date" });
  const muscle = select("obs_muscle", muscles.map((m) => [m, nice(m)]), muscles[0], { "data-field": "observations[0].muscle" });
  const mrc = select("obs_mrc", [["", "not examined"], 0, 1, 2, 3, 4, 5], "", { "data-field": "observations[0].mrc" });
  const fib = select("obs_fib", [["", "not done"], "0", "present", "1+", "2+", "3+", "4+"], "", { "data-field": "observations[0].emg.fibrillations" });
  const mup = select("obs_mup", [["", "not done"], "none", "nascent", "neurogenic", "normal"], "", { "data-field": "observations[0].emg.mup" });
  const rec = select("obs_rec", [["", "not done"], "none", "reduced", "normal"], "", { "data-field": "observations[0].emg.recruitment" });
  const cmap = select("obs_cmap", [["", "not done"], "absent", "reduced", "normal"], "", { "data-field": "observations[0].ncs.cmap" });
  form.append(h("div", { class: "grid" }, field("Date", date), field("Muscle", muscle), field("MRC grade", mrc),
    field("Needle EMG: fibrillations", fib), field("Needle EMG: motor unit potentials", mup), field("Needle EMG: recruitment", rec), field("NCS: CMAP", cmap)),
    errors, h("button", { type: "submit" }, "Add follow-up"));
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearErrors(errors, form);
    const o = { date: date.value, muscle: muscle.value };
    if (mrc.value !== "") o.mrc = Number(mrc.value);
    const emg = {};
    if (fib.value) emg.fibrillations = fib.value;
    if (mup.value) emg.mup = mup.value;
    if (rec.value) emg.recruitment = rec.value;
    if (Object.keys(emg).length) o.emg = emg;
    if (cmap.value) o.ncs = { cmap: cmap.value };
    const r = await api("POST", `/v1/cases/${encodeURIComponent(rev.case_id)}/observations`, { observations: [o] });
    if (!r.ok) { showErrors(errors, form, r.data); return; }
    await caseEditor(rev.case_id, null);
    document.getElementById("followup")?.scrollIntoView();
  });
  return h("section", { id: "followup", "aria-labelledby": "followup-h" }, h("h2", { id: "followup-h" }, "Follow-up"), list, form);
}

async function revisionsSection(rev) {
  const r = await api("GET", `/v1/cases/${encodeURIComponent(rev.case_id)}/revisions`);
  const items = r.ok ? r.data : [];
  return h("section", { "aria-labelledby": "rev-h", class: "no-print" }, h("h2", { id: "rev-h" }, "Revisions"),
    h("ol", {}, items.map((x) => h("li", {}, `Revision ${x.rev}: ${x.note} (${x.created_at}) `,
      h("button", { type: "button", onclick: async (e) => {
        const got = await api("GET", `/v1/cases/${encodeURIComponent(rev.case_id)}/revisions/${x.rev}`);
        e.target.replaceWith(h("pre", {}, got.ok ? got.data.body : problemLines(got.data).join("; ")));
      } }, `Show revision ${x.rev}`)))));
}

// ------------------------------------------------------------------ runs

// Progress parts for a run: a bar, a live text line, a box holding both, an error box.
function progressParts(label) {
  const bar = h("progress", { max: "1", value: "0", "aria-label": label });
  const text = h("span", { "aria-live": "polite" });
  return { bar, text, box: h("div", { hidden: true, class: "progress" }, bar, text), errors: h("div", { class: "errors" }) };
}

// Starts a run of a stored case, follows it to its end and returns the ended job (null on error,
// shown in the parts' error box).
async function startRun(caseId, op, opts, parts) {
  clearErrors(parts.errors, null);
  const r = await api("POST", `/v1/cases/${encodeURIComponent(caseId)}/runs/${op}`, opts);
  if (!r.ok) { showErrors(parts.errors, null, r.data); return null; }
  parts.box.hidden = false;
  const job = await follow(r.data.id, parts.bar, parts.text, op);
  if (!job) return null;
  if (job.status !== "done") { showErrors(parts.errors, null, { detail: `The run ${job.status}: ${job.error || ""}` }); return null; }
  parts.box.hidden = true;
  return job;
}

function runSection(rev) {
  const draws = h("input", { type: "number", name: "draws", min: "1", placeholder: "the case's own", "data-field": "draws" });
  const parts = progressParts("Progress of the run");
  async function run(op) {
    const opts = {};
    if (draws.value) opts.draws = Number(draws.value);
    const job = await startRun(rev.case_id, op, opts, parts);
    if (job) renderResult(job);
  }
  return h("section", { "aria-labelledby": "run-h" }, h("h2", { id: "run-h" }, "Prognosis and plans"),
    h("p", {}, "Each run simulates the case many times (Monte Carlo draws) over what is not known — the grade, the patient's regrowth speed, the distances."),
    h("div", { class: "row no-print" }, field("Draws (optional)", draws),
      h("button", { type: "button", class: "primary", onclick: () => run("prognosis") }, "Run prognosis"),
      h("button", { type: "button", onclick: () => run("plans") }, "Compare plans"),
      h("button", { type: "button", onclick: () => window.print() }, "Print report")),
    parts.box, parts.errors, h("div", { id: "result-prognosis" }), h("div", { id: "result-plans" }));
}

// The day-by-day view: one simulation of the case (its typical draw), a day slider per muscle.
function daySection(rev) {
  const parts = progressParts("Progress of the simulation");
  async function run() {
    const job = await startRun(rev.case_id, "simulate", {}, parts);
    if (job) renderResult(job);
  }
  return h("section", { id: "daybyday", "aria-labelledby": "day-h" }, h("h2", { id: "day-h" }, "Day by day"),
    h("p", {}, "One simulation of the case at its most likely values (not the Monte Carlo spread). Move the day slider to see what a clinician would find in one muscle on that day: strength and size, the nerve conduction study (CMAP) and the needle EMG."),
    h("div", { class: "row no-print" }, h("button", { type: "button", onclick: run }, "Simulate day by day")),
    parts.box, parts.errors, h("div", { id: "result-simulate" }));
}

const FINAL = ["done", "failed", "cancelled", "interrupted"];

// Follows the job by the API's Server-Sent Events (GET /v1/jobs/ID/events: "progress" events, then
// one event named by the final status), then reads the ended job with its result. If the stream
// cannot be opened or breaks before the end, it falls back to polling GET /v1/jobs/ID.
function follow(jobId, bar, text, op) {
  const url = `/v1/jobs/${encodeURIComponent(jobId)}`;
  const show = (p) => {
    if (p.total) { bar.max = p.total; bar.value = p.done || 0; }
    text.textContent = `${op}: ${p.status}${p.total ? ` — ${p.done || 0} of ${p.total}` : ""}`;
  };
  const ended = async () => {
    const r = await api("GET", url);
    if (!r.ok) { text.textContent = problemLines(r.data).join("; "); return null; }
    return r.data;
  };
  if (typeof EventSource === "undefined") return poll(url, show);
  return new Promise((resolve) => {
    const es = new EventSource(`${url}/events`);
    let over = false;
    // How many events came by the stream (the browser test reads it to know SSE was used).
    bar.dataset.events = "0";
    const seen = (e) => { bar.dataset.events = String(Number(bar.dataset.events) + 1); show(JSON.parse(e.data)); };
    es.addEventListener("progress", seen);
    for (const s of FINAL) {
      es.addEventListener(s, (e) => { over = true; es.close(); seen(e); ended().then(resolve); });
    }
    es.onerror = () => {
      if (over) return;
      over = true;
      es.close();
      poll(url, show).then(resolve);
    };
  });
}

// The fallback: polls the job until it ends.
async function poll(url, show) {
  for (;;) {
    const r = await api("GET", url);
    if (!r.ok) { show({ status: problemLines(r.data).join("; ") }); return null; }
    show(r.data);
    if (FINAL.includes(r.data.status)) return r.data;
    await new Promise((res) => setTimeout(res, 250));
  }
}

async function showStoredResults(rev) {
  const r = await api("GET", `/v1/cases/${encodeURIComponent(rev.case_id)}/results`);
  if (!r.ok) return;
  for (const j of r.data) rememberSnapshot(j);
  for (const op of ["prognosis", "plans", "simulate"]) {
    const j = r.data.find((x) => x.op === op && x.status === "done");
    if (j) renderResult(j);
  }
}

function renderResult(job) {
  const target = document.getElementById(`result-${job.op}`);
  if (!target) return;
  const stale = job.stale ? h("p", { class: "errors" }, "This stored result is out of date: ", job.stale_reasons.join("; "), ". Run it again.") : null;
  const runs = job.op === "simulate" ? `${job.result.resolution} resolution` : `${job.result.draws} draws`;
  const meta = h("p", { class: "muted" }, `Case revision ${job.rev ?? "–"}, ${runs}, seed ${job.seed ?? "–"}, engine ${job.engine_version}, ${job.finished_at || ""}.`);
  // The API's result may carry no title: the case's title is the page's heading.
  const res = Object.assign({ title: document.querySelector("main h1")?.textContent || "" }, job.result);
  if (!res.title) res.title = document.querySelector("main h1")?.textContent || "";
  const view = { prognosis: prognosisView, plans: plansView, simulate: dayView }[job.op];
  target.replaceChildren(view(res, stale, meta, job));
}

function prognosisTable(muscles, caption) {
  return h("div", { class: "table-wrap" }, h("table", { class: "prognosis" },
    h("caption", { class: "muted" }, caption),
    h("thead", {}, h("tr", {}, ["Muscle", "Distance (mm)", "P(MRC ≥ 3)", "P(MRC ≥ 4)", "First reinnervation, day", "MRC ≥ 3, day", "MRC at 1 year", "MRC at 2 years"]
      .map((t, i) => h("th", { scope: "col", class: i ? "num" : "" }, t)))),
    h("tbody", {}, muscles.map((m) => h("tr", {},
      h("th", { scope: "row" }, nice(m.muscle)), h("td", { class: "num" }, num(m.distance_mm)),
      h("td", { class: "num" }, pct(m.p_mrc_ge_3)), h("td", { class: "num" }, pct(m.p_mrc_ge_4)),
      h("td", { class: "num" }, q(m.first_reinnervation_day)), h("td", { class: "num" }, q(m.mrc_3_day)),
      h("td", { class: "num" }, q(m.mrc_at_365)), h("td", { class: "num" }, q(m.mrc_at_730)))))));
}

function prognosisView(res, stale, meta) {
  const plotBox = h("div", { class: "plot" });
  const names = res.muscles.map((m) => m.muscle);
  const which = select("plot_muscle", names.map((n) => [n, nice(n)]), names[0]);
  function draw() {
    const i = names.indexOf(which.value);
    const drivers = ((res.drivers || [])[i] || []).slice(0, 3);
    const why = drivers.length
      ? h("p", { class: "muted" }, "Spread driven by: ", drivers.map((d) => `${nice(d.name)} ${pct(d.share)}`).join(", "), ".")
      : null;
    plotBox.replaceChildren(...[bandPlot(res.muscles[i], (res.mrc_bands || [])[i] || [], res.window_day), why].filter(Boolean));
  }
  which.addEventListener("change", draw);
  draw();
  const fu = res.follow_up;
  return h("section", { class: "result", "aria-labelledby": "prog-h" },
    h("h3", { id: "prog-h" }, `Prognosis: ${res.title}`), stale, meta,
    res.answer ? h("p", { class: "answer" }, h("strong", {}, "Wait or operate? "), res.answer) : null,
    fu ? h("div", {}, h("h4", {}, `Follow-up: ${fu.observations} observation(s), ${num(fu.effective_draws, 1)} effective draws`),
      h("div", { class: "table-wrap" }, h("table", { class: "grades" }, h("caption", { class: "muted" }, "What the follow-up says about the grade"),
        h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Grade"), h("th", { scope: "col", class: "num" }, "Before follow-up"), h("th", { scope: "col", class: "num" }, "After follow-up"))),
        h("tbody", {}, fu.grade_prior.map(([g, p], i) => h("tr", {}, h("th", { scope: "row" }, nice(g)), h("td", { class: "num" }, pct(p)),
          h("td", { class: "num" }, pct((fu.grade_posterior[i] || [])[1])))))))) : null,
    prognosisTable(res.muscles, "Per muscle: probabilities at the horizon; days and MRC as median (10th–90th percentile); “never” = not within the horizon"),
    h("h4", {}, "Time course of one muscle"), field("Muscle to plot", which), plotBox,
    disclaimerNote(res.disclaimer));
}

// An SVG element (the namespace URI is a name, never fetched).
function svgEl(tag, attrs, text) {
  const el = document.createElementNS("http://www.w3.org/2000/svg", tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, v);
  if (text !== undefined) el.textContent = text;
  return el;
}

// The Monte Carlo band of MRC grade over time (10th–90th percentile, median), with the end-plate
// window (the time the muscle can still take up regrowing axons) marked. Drawn as SVG.
function bandPlot(m, band, windowDay) {
  const W = 860, H = 320, L = 56, R = 16, T = 20, B = 48;
  const maxDay = Math.max(1, band.length ? band[band.length - 1].day : 730, windowDay || 0);
  const x = (d) => L + (d / maxDay) * (W - L - R);
  const y = (v) => T + (1 - v / 5) * (H - T - B);
  const s = svgEl;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": "plot-title plot-desc", class: "band-plot" });
  svg.append(s("title", { id: "plot-title" }, `MRC grade of ${nice(m.muscle)} over time`));
  svg.append(s("desc", { id: "plot-desc" }, `Shaded band: 10th to 90th percentile over the draws; line: median. Hatched area: after the end-plate window, day ${Math.round(windowDay)}. P(MRC ≥ 3) ${pct(m.p_mrc_ge_3)}.`));
  const defs = s("defs", {});
  const pat = s("pattern", { id: "hatch", width: "8", height: "8", patternUnits: "userSpaceOnUse", patternTransform: "rotate(45)" });
  pat.append(s("line", { x1: "0", y1: "0", x2: "0", y2: "8", stroke: "#c98f2c", "stroke-width": "3" }));
  defs.append(pat);
  svg.append(defs);
  if (windowDay && windowDay < maxDay) {
    svg.append(s("rect", { x: x(windowDay), y: T, width: x(maxDay) - x(windowDay), height: H - T - B, fill: "url(#hatch)", opacity: "0.35", class: "window" }));
    svg.append(s("line", { x1: x(windowDay), x2: x(windowDay), y1: T, y2: H - B, stroke: "#8a5a00", "stroke-width": "2", "stroke-dasharray": "6 4" }));
    svg.append(s("text", { x: x(windowDay) + 4, y: T + 14, "font-size": "13", fill: "#6b4600" }, `end-plate window closes ≈ day ${Math.round(windowDay)}`));
  }
  for (let g = 0; g <= 5; g++) {
    svg.append(s("line", { x1: L, x2: W - R, y1: y(g), y2: y(g), stroke: "#e1e4e8" }));
    svg.append(s("text", { x: L - 8, y: y(g) + 4, "text-anchor": "end", "font-size": "12", fill: "#333" }, `MRC ${g}`));
  }
  const step = maxDay > 1000 ? 365 : 90;
  for (let d = 0; d <= maxDay; d += step) {
    svg.append(s("text", { x: x(d), y: H - B + 18, "text-anchor": "middle", "font-size": "12", fill: "#333" }, String(d)));
  }
  svg.append(s("text", { x: (L + W - R) / 2, y: H - 8, "text-anchor": "middle", "font-size": "13", fill: "#333" }, "days after the injury"));
  svg.append(s("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#333" }));
  svg.append(s("line", { x1: L, x2: L, y1: T, y2: H - B, stroke: "#333" }));
  if (band.length) {
    const upper = band.map((b) => `${x(b.day).toFixed(1)},${y(b.p90).toFixed(1)}`);
    const lower = band.slice().reverse().map((b) => `${x(b.day).toFixed(1)},${y(b.p10).toFixed(1)}`);
    svg.append(s("polygon", { points: upper.concat(lower).join(" "), fill: "#8fb8e6", opacity: "0.6", class: "band" }));
    svg.append(s("polyline", { points: band.map((b) => `${x(b.day).toFixed(1)},${y(b.p50).toFixed(1)}`).join(" "), fill: "none", stroke: "#0b3d75", "stroke-width": "2.5", class: "median" }));
  } else {
    svg.append(s("text", { x: W / 2, y: H / 2, "text-anchor": "middle" }, "No band in this result (stored by an older engine): run it again."));
  }
  return h("figure", {}, svg, h("figcaption", { class: "muted" },
    `${nice(m.muscle)}: blue band = 10th–90th percentile of MRC over the draws, dark line = median; dashed line and hatching = after the end-plate window (day ${Math.round(windowDay)}), when regrowing axons arrive too late to reinnervate well.`));
}

// ------------------------------------------------------------------ day by day

function frac(x) { return x === null || x === undefined ? "–" : `${Math.round(x * 100)}%`; }
const FIB = ["0", "1+", "2+", "3+", "4+"];

// What a clinician would record in one muscle on one day, from the simulation's readout.
function readingView(r) {
  const row = (name, value) => h("tr", {}, h("th", { scope: "row" }, name), h("td", {}, value));
  const card = (title, cls, rows) => h("div", { class: `card ${cls}` }, h("h4", {}, title),
    h("table", {}, h("tbody", {}, rows)));
  const c = r.cmap, n = r.needle, st = r.strength, sz = r.size;
  return h("div", { class: "cards" },
    card("Strength and size", "strength", [
      row("MRC grade", String(st.mrc)),
      row("Voluntary force", frac(st.voluntary_force_fraction)),
      row("Force on nerve stimulation below the lesion", frac(st.distal_nerve_stimulation_force_fraction)),
      row("Muscle mass", frac(sz.muscle_mass_fraction)),
      row("Mean fibre cross-section", frac(sz.fibre_csa_fraction)),
      row("Fat and connective tissue", frac(sz.fat_fibrous_fraction)),
      row("Fibres with a motor axon", frac(sz.innervated_fibre_fraction))]),
    card("Nerve conduction (CMAP)", "cmap", [
      row("Distal CMAP", `${num(c.distal_mv, 1)} mV (${frac(c.distal_fraction)} of normal) — ${c.level}`),
      row("Proximal CMAP", `${num(c.proximal_mv, 1)} mV (${frac(c.proximal_fraction)})`),
      row("Distal latency", c.distal_latency_ms === null ? "no response" : `${num(c.distal_latency_ms, 1)} ms`),
      row("Conduction velocity", c.velocity_m_s === null ? "no response" : `${num(c.velocity_m_s, 0)} m/s`),
      row("Conduction block", c.block ? "yes" : "no")]),
    card("Needle EMG", "needle", [
      row("Fibrillations / positive sharp waves", FIB[n.fibrillation_grade] ?? String(n.fibrillation_grade)),
      row("Motor unit potentials", n.mup),
      row("Recruitment", `${nice(n.recruitment.pattern)} (${frac(n.recruitment.fraction)} of the units)`),
      row("Motor unit size", frac(n.motor_unit_size_fraction))]));
}

// MRC grade and distal CMAP (fraction of normal) of one muscle over the days, with the chosen day
// marked by a line: drawn from the simulation's readings.
function dayStrip(run, day) {
  const rd = run.readings;
  const W = 860, H = 200, L = 56, R = 56, T = 14, B = 40;
  const maxDay = Math.max(1, rd.length - 1);
  const x = (d) => L + (d / maxDay) * (W - L - R);
  const yM = (v) => T + (1 - v / 5) * (H - T - B);
  const yC = (v) => T + (1 - Math.min(1, v)) * (H - T - B);
  const tid = nextId("strip-t"), did = nextId("strip-d");
  const s = svgEl;
  const svg = s("svg", { viewBox: `0 0 ${W} ${H}`, role: "img", "aria-labelledby": `${tid} ${did}`, class: "day-strip" });
  svg.append(s("title", { id: tid }, `MRC grade and CMAP of ${nice(run.muscle)} over time, day ${day} marked`));
  svg.append(s("desc", { id: did }, `Solid line: MRC grade (left axis, 0–5). Dashed line: distal CMAP as a share of normal (right axis, 0–100%). Vertical line: day ${day}.`));
  svg.append(s("line", { x1: L, x2: W - R, y1: H - B, y2: H - B, stroke: "#333" }));
  for (let g = 0; g <= 5; g++) svg.append(s("text", { x: L - 8, y: yM(g) + 4, "text-anchor": "end", "font-size": "12", fill: "#333" }, `MRC ${g}`));
  for (const f of [0, 0.5, 1]) svg.append(s("text", { x: W - R + 6, y: yC(f) + 4, "font-size": "12", fill: "#333" }, `${f * 100}%`));
  const step = maxDay > 1000 ? 365 : 90;
  for (let d = 0; d <= maxDay; d += step) svg.append(s("text", { x: x(d), y: H - B + 16, "text-anchor": "middle", "font-size": "12", fill: "#333" }, String(d)));
  svg.append(s("text", { x: (L + W - R) / 2, y: H - 6, "text-anchor": "middle", "font-size": "13", fill: "#333" }, "days after the injury"));
  const pts = (f) => rd.map((r) => `${x(r.day).toFixed(1)},${f(r).toFixed(1)}`).join(" ");
  svg.append(s("polyline", { points: pts((r) => yM(r.strength.mrc)), fill: "none", stroke: "#0b3d75", "stroke-width": "2.5", class: "mrc" }));
  svg.append(s("polyline", { points: pts((r) => yC(r.cmap.distal_fraction)), fill: "none", stroke: "#8a5a00", "stroke-width": "2", "stroke-dasharray": "6 4", class: "cmap" }));
  svg.append(s("line", { x1: x(day), x2: x(day), y1: T, y2: H - B, stroke: "#a4161a", "stroke-width": "2", class: "today" }));
  svg.append(s("text", { x: Math.min(x(day) + 4, W - R - 60), y: T + 12, "font-size": "13", fill: "#a4161a" }, `day ${day}`));
  return svg;
}

// The pictures of the day-by-day view: snapshot jobs of the case (POST /v1/cases/ID/runs/snapshot),
// each picturing one muscle on a few days. Their entries, by muscle and day, are kept here and
// filled from the case's stored results, so a day's pictures are made once and the slider only
// switches between URLs the browser has fetched already (the server marks them immutable).
// Keyed "case id/muscle", then by day.
const pictured = {};

function rememberSnapshot(job) {
  if (job.op !== "snapshot" || job.status !== "done" || job.stale || !job.result || !job.case_id) return;
  const k = `${job.case_id}/${job.result.muscle}`;
  pictured[k] = pictured[k] || {};
  for (const e of job.result.days || []) if (!pictured[k][e.day]) pictured[k][e.day] = e;
}

// The pictured day of `key` ("case id/muscle") nearest to `day` (null when none).
function nearestPictured(key, day) {
  const days = Object.keys(pictured[key] || {}).map(Number);
  if (!days.length) return null;
  return days.reduce((best, d) => (Math.abs(d - day) < Math.abs(best - day) ? d : best));
}

const STAINS = { cross_section: "ATPase pH 9.4" };

// Alt text of the cross-section: what the picture shows, in the day's numbers.
function sectionAlt(pic, r) {
  const sz = r.size;
  return `${pic.title}. Fibres with a motor axon ${frac(sz.innervated_fibre_fraction)}, mean fibre cross-section ${frac(sz.fibre_csa_fraction)} of normal, fat and connective tissue ${frac(sz.fat_fibrous_fraction)}.`;
}

// The pictures of one pictured day: cross-section (stain chosen), needle EMG at rest and at
// effort (drawn, and playable as sound), CMAP; links to the records as CSV.
function dayPictures(e) {
  const byName = Object.fromEntries(e.pictures.map((p) => [p.name, p]));
  const trace = Object.fromEntries(e.traces.map((t) => [t.name, t]));
  const r = e.readout, n = r.needle, c = r.cmap;
  const sections = e.pictures.filter((p) => p.name.startsWith("cross_section"));
  const stainName = (p) => (p.title.split(", ").slice(2).join(", ") || STAINS[p.name] || nice(p.name));
  const stain = select("stain", sections.map((p) => [p.name, stainName(p)]), "cross_section");
  const img = h("img", { class: "cross-section", src: byName.cross_section.svg, alt: sectionAlt(byName.cross_section, r), width: "1150", height: "640" });
  stain.addEventListener("change", () => { const p = byName[stain.value]; img.src = p.svg; img.alt = sectionAlt(p, r); });
  const emg = (name, cls, what) => {
    const p = byName[name], t = trace[name];
    return h("figure", { class: "emg" },
      h("img", { class: `trace ${cls}`, src: p.svg, width: "900", height: "280",
        alt: `${p.title}: ${t.label}. Fibrillation grade ${FIB[n.fibrillation_grade] ?? n.fibrillation_grade}, motor unit potentials ${n.mup}, recruitment ${nice(n.recruitment.pattern)}.` }),
      h("figcaption", {}, h("span", {}, `${what}: ${t.label} `),
        h("audio", { class: cls, controls: true, preload: "none", src: t.wav, "aria-label": `Sound of the needle EMG ${what.toLowerCase()}, day ${e.day}` }),
        " ", h("a", { href: t.csv, download: "" }, "samples (CSV)")));
  };
  return h("div", { class: "day-pictures" },
    h("figure", { class: "section" }, h("div", { class: "row no-print" }, field("Stain", stain)), img,
      h("figcaption", { class: "muted" }, "A biopsy-like cross-section of the twin's fibres around the needle site, as the chosen stain would show them (the colours are a named assumption, data/views/stains.toml).")),
    emg("emg_rest", "emg-rest", "At rest"),
    emg("emg_effort", "emg-effort", "Weak voluntary effort"),
    h("figure", { class: "cmap" },
      h("img", { class: "trace cmap", src: byName.cmap.svg, width: "600", height: "300",
        alt: `${byName.cmap.title}: distal ${num(c.distal_mv, 1)} mV (${frac(c.distal_fraction)} of normal), proximal ${num(c.proximal_mv, 1)} mV.` }),
      h("figcaption", {}, `CMAP: distal ${num(c.distal_mv, 1)} mV, proximal ${num(c.proximal_mv, 1)} mV `, h("a", { href: trace.cmap.csv, download: "" }, "waveforms (CSV)"))));
}

function dayView(res, stale, meta, job) {
  const runs = res.runs || [];
  if (!runs.length) return h("section", { class: "result" }, h("p", {}, "The simulation has no muscle."), disclaimerNote(res.disclaimer));
  const which = select("day_muscle", runs.map((r) => [r.muscle, nice(r.muscle)]), runs[0].muscle);
  const last = runs[0].readings.length - 1;
  const slider = h("input", { type: "range", name: "day", min: "0", max: String(last), step: "1", value: String(Math.min(120, last)), class: "day-slider" });
  const said = h("p", { class: "day-now", "aria-live": "polite" });
  const strip = h("div", { class: "plot" });
  const readings = h("div");
  const caseId = job && job.case_id;
  const picParts = progressParts("Progress of the pictures");
  const picNote = h("p", { class: "pictured-day", "aria-live": "polite" });
  const picBox = h("div");
  const picButtons = h("div", { class: "row no-print" });
  let shownDay = null;
  async function picture(muscle, days) {
    const opts = { muscle };
    if (days) opts.days = days;
    const done = await startRun(caseId, "snapshot", opts, picParts);
    if (!done) return;
    rememberSnapshot(done);
    shownDay = null;
    draw();
  }
  function drawPictures(run, d) {
    const muscle = run.muscle;
    picButtons.replaceChildren();
    if (!caseId) return;
    // A muscle the twin runs with another's motor-unit pool (a stand-in) is not pictured under
    // its own name: its fibres and needle would be the stand-in's (the server refuses it too).
    const pool = run.scenario && run.scenario.muscle;
    if (pool && pool !== muscle) {
      picNote.textContent = `No pictures of ${nice(muscle)}: the twin runs it with the ${nice(pool)}'s motor-unit pool, so its fibres and needle would be the ${nice(pool)}'s. Choose a muscle with a pool of its own (e.g. ${nice(pool)}).`;
      picBox.replaceChildren();
      shownDay = null;
      return;
    }
    const pk = `${caseId}/${muscle}`;
    const p = nearestPictured(pk, d);
    if (p === null) {
      picNote.textContent = `No pictures of ${nice(muscle)} yet.`;
      picBox.replaceChildren();
      picButtons.append(h("button", { type: "button", onclick: () => picture(muscle, null) }, "Show pictures"));
      return;
    }
    picNote.textContent = p === d ? `Pictures of day ${p}.` : `Pictures of day ${p}, the pictured day nearest to day ${d}.`;
    if (p !== d) picButtons.append(h("button", { type: "button", onclick: () => picture(muscle, [d]) }, `Picture day ${d}`));
    const key = `${pk}/${p}`;
    if (shownDay === key) return;
    shownDay = key;
    picBox.replaceChildren(dayPictures(pictured[pk][p]));
  }
  function draw() {
    const run = runs.find((r) => r.muscle === which.value) || runs[0];
    const d = Math.min(Number(slider.value), run.readings.length - 1);
    const r = run.readings[d];
    slider.setAttribute("aria-valuetext", `day ${d}`);
    said.textContent = `Day ${d} after the injury (week ${Math.floor(d / 7)}, month ${(d / 30.44).toFixed(1)}): ${nice(run.muscle)} MRC ${r.strength.mrc}, CMAP ${r.cmap.level}, fibrillations ${FIB[r.needle.fibrillation_grade] ?? r.needle.fibrillation_grade}, MUPs ${r.needle.mup}.`;
    strip.replaceChildren(h("figure", {}, dayStrip(run, d), h("figcaption", { class: "muted" },
      `${nice(run.muscle)}: solid line = MRC grade (left scale); dashed line = distal CMAP as a share of normal (right scale); vertical line = day ${d}.`)));
    readings.replaceChildren(readingView(r));
    const ev = run.events || {};
    drawPictures(run, d);
    readings.append(h("p", { class: "muted" }, `In this simulation: first fibrillations ${ev.first_fibrillation_day == null ? "none" : `on day ${ev.first_fibrillation_day}`}, ${ev.first_reinnervation_day == null ? (ev.mrc_3_day == null ? "no reinnervation by regrowing axons" : "no reinnervation by regrowing axons (strength returned through surviving or recovering axons)") : `first reinnervation by regrowing axons on day ${ev.first_reinnervation_day}`}, MRC ≥ 3 on day ${ev.mrc_3_day ?? "never"}.`));
  }
  which.addEventListener("change", draw);
  slider.addEventListener("input", draw);
  draw();
  return h("section", { class: "result", "aria-labelledby": "sim-h" },
    h("h3", { id: "sim-h" }, `Day by day: ${res.title}`), stale, meta,
    h("div", { class: "row" }, field("Muscle", which), h("label", { class: "slider" }, `Day after the injury (0–${last})`, slider)),
    said, strip, readings,
    h("section", { class: "pictures", "aria-labelledby": "pics-h" }, h("h4", { id: "pics-h" }, "What the biopsy, the needle and the nerve conduction study would show"),
      h("p", { class: "muted" }, "One run pictures the muscle at the case's own seed on days before the injury, 3 weeks, 3, 6, 12 and 24 months after it and at the horizon; the slider then shows the pictured day nearest to its day."),
      picNote, picButtons, picParts.box, picParts.errors, picBox),
    disclaimerNote(res.disclaimer));
}

function plansView(res, stale, meta) {
  return h("section", { class: "result", "aria-labelledby": "plans-h" },
    h("h3", { id: "plans-h" }, `Plans compared: ${res.title}`), stale, meta,
    res.answer ? h("p", { class: "answer" }, res.answer) : null,
    h("p", { class: "muted" }, `How plans are ranked: ${res.criterion}`),
    h("ol", { class: "plans" }, res.plans.map((p) => h("li", {},
      h("strong", {}, `${p.name}`), ` — score ${num(p.score, 2)} (rank ${p.rank})`,
      h("p", {}, p.description),
      h("ul", {}, p.reasons.map((r) => h("li", {}, r))),
      h("details", {}, h("summary", {}, `Per-muscle figures under “${p.name}”`), prognosisTable(p.muscles, p.name))))),
    disclaimerNote(res.disclaimer));
}

// ------------------------------------------------------------------ diagnosis

const SECTIONS = [["patient", "Patient"], ["history", "History"], ["exam", "Examination"], ["ncs", "Nerve conduction studies"],
  ["emg", "Needle EMG"], ["labs", "Laboratory and biopsy"], ["imaging", "Imaging"]];

async function diagnosePage() {
  if (!schemaCache) {
    const r = await api("GET", "/v1/findings/schema");
    if (!r.ok) throw new Error(problemLines(r.data).join("; "));
    schemaCache = r.data.fields;
  }
  const form = h("form", { "aria-label": "Findings", novalidate: true });
  const controls = {};
  for (const [sec, secTitle] of SECTIONS) {
    const rows = schemaCache.filter((f) => f.section === sec && f.kind !== "nerves");
    if (!rows.length) continue;
    const grid = h("div", { class: "grid" });
    for (const f of rows) {
      const name = `${f.section}.${f.key}`;
      let el;
      if (f.kind === "number") el = h("input", { type: "number", min: "0", step: "any", name, "data-field": name });
      else if (f.kind === "bool") el = select(name, [["", "unknown"], ["true", "yes"], ["false", "no"]], "", { "data-field": name });
      else if (f.kind === "one") el = select(name, [["", "unknown"], ...f.values.map((v) => [v, nice(v)])], "", { "data-field": name });
      else {
        el = select(name, f.values.map((v) => [v, nice(v)]), "", { multiple: true, size: String(Math.min(5, f.values.length)), "data-field": name });
        for (const o of el.options) o.selected = false;
      }
      controls[name] = { el, f };
      grid.append(field(nice(f.key) + (el.multiple ? " (any that apply)" : ""), el));
    }
    form.append(h("fieldset", {}, h("legend", {}, secTitle), grid));
  }
  const errors = h("div", { class: "errors" });
  const out = h("div", { "aria-live": "polite" });
  function findings() {
    const doc = {};
    for (const [name, { el, f }] of Object.entries(controls)) {
      let v;
      if (el.multiple) { const sel = [...el.selectedOptions].map((o) => o.value); if (sel.length) v = sel; }
      else if (el.value !== "") v = f.kind === "number" ? Number(el.value) : f.kind === "bool" ? el.value === "true" : el.value;
      if (v === undefined) continue;
      (doc[f.section] = doc[f.section] || {})[f.key] = v;
    }
    return doc;
  }
  async function run() {
    clearErrors(errors, form);
    const r = await api("POST", "/v1/diagnose", findings());
    if (!r.ok) { showErrors(errors, form, r.data); return; }
    out.replaceChildren(diagnosisView(r.data, controls, run));
  }
  form.append(errors, h("button", { type: "submit", class: "primary" }, "Diagnose"));
  form.addEventListener("submit", (e) => { e.preventDefault(); run(); });
  setMain(h("h1", {}, "Diagnosis from findings"),
    h("p", {}, "Enter what is known, in the order of an examination; leave anything not examined as unknown (unknown is not normal). The differential, the findings that drove it and the most informative next test appear below."),
    form, out);
}

function probRows(list, caption) {
  return h("div", { class: "table-wrap" }, h("table", {}, h("caption", { class: "muted" }, caption),
    h("thead", {}, h("tr", {}, h("th", { scope: "col" }, "Candidate"), h("th", { scope: "col" }, "Probability"))),
    h("tbody", {}, list.map((x) => h("tr", {}, h("th", { scope: "row" }, nice(x.name)),
      h("td", {}, h("span", { class: "bar", style: `width:${Math.round(x.p * 120)}px`, "aria-hidden": "true" }), pct(x.p)))))));
}

function diagnosisView(d, controls, rerun) {
  const next = d.next_tests || [];
  return h("section", { class: "result", "aria-labelledby": "dx-h" }, h("h2", { id: "dx-h" }, "Differential"),
    d.no_findings ? h("p", {}, "No finding given: this is the prior.") : null,
    probRows(d.category || [], "Category"), probRows(d.level || [], "Level of the lesion"), probRows(d.disease || [], "Disease"),
    h("h3", {}, "Next best test"),
    next.length ? h("ol", {}, next.map((t) => {
      const ctl = controls[t.finding];
      let add = null;
      if (ctl && !ctl.el.multiple && ctl.f.values.length) {
        const pick = select(`next_${t.finding}`, [["", "— result —"], ...ctl.f.values.map((v) => [v, nice(v)])], "");
        add = h("span", { class: "row" }, field(`Result of ${t.finding}`, pick),
          h("button", { type: "button", onclick: () => { if (!pick.value) return; ctl.el.value = pick.value; rerun(); } }, "Add this result"));
      }
      return h("li", {}, `${t.test} (${t.finding}; expected information ${num(t.expected_information_bits, 2)} bits)`, add);
    })) : h("p", {}, "No test left that would change the answer."),
    h("h3", {}, "Findings that drove it"),
    h("div", { class: "table-wrap" }, h("table", {}, h("thead", {}, h("tr", {}, ["Finding", "Value", "For or against", "Level", "log LR"].map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, (d.drivers || []).map((x) => h("tr", {}, h("td", {}, x.finding), h("td", {}, x.value),
        h("td", {}, x.direction === "for" ? "for (+)" : "against (−)"), h("td", {}, nice(x.level)), h("td", { class: "num" }, num(x.log_lr, 2))))))),
    (d.unused_findings || []).length ? h("p", { class: "muted" }, `Not used: ${d.unused_findings.join(", ")}`) : null,
    disclaimerNote(d.disclaimer));
}
