// The workbook app's page side (an anywidget): the address says which module is shown (#NN), the
// kernel builds modules, this script shows the right one and marks it usable.
//
// - the route follows the address: a link to "#04", the back and forward buttons and a reload all
//   change location.hash, and the kernel hears it through the "route" value;
// - a module already on the page is shown at once, without waiting for the kernel (which may be
//   busy with a long computation), but it cannot be used (inert, aria-busy) until the kernel says
//   it is still current ("served"): a module that the kernel builds again because something it
//   shows changed is never clicked on just before it is replaced; a new one appears when built;
// - when a module's widgets are all drawn, its root element carries data-dl-module="NN" (tests,
//   benchmarks and outside checks wait for it);
// - every few seconds the page asks the kernel whether it still holds the learner's work: when the
//   same pseudonym was opened in another tab, this tab says so and gives its kernel back;
// - keyboard and screen-reader users keep their place (WCAG 2.4.3): the page title names the module
//   shown, a skip link leads to it (the stage is the page's main landmark), a step revealed gets
//   the focus on its heading (the kernel says which, "focus" message), and a control that the
//   kernel disabled while it worked, or replaced, gives the focus back to itself, or to the heading
//   of the activity it was in, never to the page body;
// - every chart is role="img", named by the French summary the kernel draws beside it;
// - one live region, made when the page loads, says every message that appears in the module shown
//   after it was drawn (confirmations, warnings, errors: WCAG 4.1.3); messages are new nodes, which
//   screen readers do not read by themselves.

const PING_SECONDS = 3;
// Without an answer for this long, the page asks the server whether its kernel still exists (a
// busy kernel answers late but exists; one shut down by the server leaves the page's socket open).
const SILENCE_SECONDS = 10;

function routeFromAddress(modules) {
  const match = /^#(\d\d)$/.exec(window.location.hash);
  if (match && modules.includes(match[1])) return match[1];
  return modules.length ? modules[0] : "00";
}

function moduleRoots() {
  return Array.from(document.querySelectorAll(".dl-module-root"));
}

function numberOf(root) {
  for (const name of root.classList) {
    const match = /^dl-module-(\d\d)$/.exec(name);
    if (match) return match[1];
  }
  return null;
}

function buildOf(root) {
  for (const name of root.classList) {
    if (name.startsWith("dl-build-")) return name.slice("dl-build-".length);
  }
  return null;
}

function pageConfig() {
  try {
    return JSON.parse(document.getElementById("jupyter-config-data").textContent);
  } catch (error) {
    return null;
  }
}

function shutdownKernel() {
  // Voilà's own server only (as its page does on closing); inside a Jupyter server (Binder,
  // JupyterHub) there is no such address and the server's culling ends the kernel.
  const config = pageConfig();
  if (!config || !config.kernelId) return;
  const form = new FormData();
  const xsrf = document.cookie.match("\\b_xsrf=([^;]*)\\b");
  form.append("_xsrf", (xsrf && xsrf[1]) || "");
  window.navigator.sendBeacon(`${config.baseUrl || "/"}voila/api/shutdown/${config.kernelId}`, form);
}

async function kernelIsGone() {
  const config = pageConfig();
  if (!config || !config.kernelId) return false;
  try {
    const response = await fetch(`${config.baseUrl || "/"}api/kernels/${config.kernelId}`, {
      credentials: "same-origin",
      cache: "no-store",
    });
    return response.status === 404;
  } catch (error) {
    return true; // the server does not answer at all
  }
}

function connectionLost() {
  if (window.datalabPageClosed) return;
  if (typeof window.datalabConnectionLost === "function") window.datalabConnectionLost(true);
}

function showTakenOver(model) {
  if (document.getElementById("dl-taken-over")) return;
  window.datalabPageClosed = true; // the connection will close: that is expected now
  const box = document.createElement("div");
  box.id = "dl-taken-over";
  box.className = "dl-overlay";
  box.setAttribute("role", "alertdialog");
  box.setAttribute("aria-modal", "true");
  box.setAttribute("aria-labelledby", "dl-taken-over-title");
  const texts = model.get("texts");
  box.innerHTML =
    `<div class="dl-overlay-box"><h2 id="dl-taken-over-title">${texts.taken_over_title}</h2>` +
    `<p>${texts.taken_over_text}</p>` +
    `<button type="button" class="dl-overlay-button">${texts.taken_over_button}</button></div>`;
  const button = box.querySelector("button");
  button.addEventListener("click", () => window.location.reload());
  box.addEventListener("keydown", (event) => {
    if (event.key === "Tab") {
      event.preventDefault(); // the dialog's one control keeps the focus (aria-modal)
      button.focus();
    } else if (event.key === "Escape") {
      event.preventDefault();
      pauseBanner(texts, box);
    }
  });
  document.body.appendChild(box);
  button.focus();
  shutdownKernel();
}

function pauseBanner(texts, dialog) {
  // Escape closes the dialog; the page stays paused, said at its top with the same button, and the
  // work of this tab, no longer current, is hidden (nothing to click on by mistake).
  dialog.remove();
  for (const stage of document.querySelectorAll(".dl-stage")) stage.style.display = "none";
  const banner = document.createElement("div");
  banner.id = "dl-paused";
  banner.className = "dl-paused";
  banner.setAttribute("role", "status");
  banner.innerHTML =
    `<p><strong>${texts.taken_over_title}</strong></p>` +
    `<button type="button" class="dl-overlay-button">${texts.taken_over_button}</button>`;
  banner.querySelector("button").addEventListener("click", () => window.location.reload());
  document.body.prepend(banner);
  banner.querySelector("button").focus();
}

function nameCharts(root) {
  // Each chart is an image named by its French summary (drawn beside it by the kernel); its data
  // are in the table « Voir les données du graphique » under it.
  for (const figure of root.querySelectorAll(".dl-figure")) {
    const plot = figure.querySelector(".js-plotly-plot");
    const summary = figure.querySelector(".dl-figure-summary");
    if (!plot || !summary) continue;
    const name = summary.textContent.trim();
    if (plot.getAttribute("aria-label") !== name) {
      plot.setAttribute("role", "img");
      plot.setAttribute("aria-label", name);
    }
  }
}

function headingOf(element) {
  // The heading a keyboard user lands on: the element's own first heading, made focusable.
  const heading = element.matches("h1, h2, h3, h4") ? element : element.querySelector("h1, h2, h3, h4");
  const target = heading || element;
  if (!target.hasAttribute("tabindex")) target.setAttribute("tabindex", "-1");
  return target;
}

function focusWhenDrawn(find, timeoutMs = 15000) {
  // Widgets are drawn some frames after the kernel sends them: try each frame for a while, but
  // never once the learner has pressed a key or clicked since (Tab, then Enter on « Comparer les
  // modèles »): from then on the focus is theirs.
  const deadline = Date.now() + timeoutMs;
  let interacted = false;
  const interact = () => {
    interacted = true;
  };
  document.addEventListener("keydown", interact, { capture: true, once: true });
  document.addEventListener("pointerdown", interact, { capture: true, once: true });
  const done = () => {
    document.removeEventListener("keydown", interact, { capture: true });
    document.removeEventListener("pointerdown", interact, { capture: true });
  };
  const attempt = () => {
    if (interacted) return done();
    const element = find();
    // a module being built again stays inert until the kernel serves it: focus() would be lost
    if (element && !element.closest("[inert]")) {
      headingOf(element).focus({ preventScroll: false });
      done();
    } else if (Date.now() < deadline) {
      window.requestAnimationFrame(attempt);
    } else {
      done();
    }
  };
  attempt();
}

function render({ model, el }) {
  el.classList.add("dl-router");
  let lastShown = null;
  let scheduled = false;
  let focusPending = false; // after a switch, keyboard focus goes to the new module's title
  let lastFocused = null; // the last control the learner was on (see keepFocus)
  let lastActivity = null; // and the activity it was in

  const announced = new WeakSet(); // messages already said (or there before the module was usable)
  const silentBuilds = new Set(); // builds whose first messages were marked without being said

  function liveRegions() {
    let polite = document.getElementById("dl-live");
    if (!polite) {
      polite = document.createElement("div");
      polite.id = "dl-live";
      polite.className = "dl-live";
      polite.setAttribute("role", "status");
      polite.setAttribute("aria-live", "polite");
      const urgent = document.createElement("div");
      urgent.id = "dl-live-alert";
      urgent.className = "dl-live";
      urgent.setAttribute("role", "alert");
      document.body.append(polite, urgent);
    }
    return { polite, urgent: document.getElementById("dl-live-alert") };
  }

  function announce(root) {
    // Say the newest message of the module shown; the ones there when it was drawn are not news.
    // messages (.dl-msg) and the results written as statuses (a prediction, a readout, a score)
    const messages = Array.from(root.querySelectorAll('.dl-msg, [role="status"]')).filter(
      (element) => element.innerText.trim() !== "",
    );
    const build = buildOf(root);
    if (!silentBuilds.has(build)) {
      silentBuilds.add(build);
      for (const message of messages) announced.add(message);
      return;
    }
    const fresh = messages.filter((message) => !announced.has(message));
    if (!fresh.length) return;
    for (const message of fresh) announced.add(message);
    const last = fresh[fresh.length - 1];
    const regions = liveRegions();
    const region = last.classList.contains("dl-msg-error") ? regions.urgent : regions.polite;
    region.textContent = "";
    // a new text node in the existing region, a frame later: read even when the text repeats
    window.requestAnimationFrame(() => {
      region.textContent = last.innerText.trim();
    });
  }

  function currentRoot() {
    const route = routeFromAddress(model.get("modules"));
    return moduleRoots().find((root) => numberOf(root) === route) || null;
  }

  function landmarks() {
    liveRegions();
    // The stage is the page's main landmark; a skip link, first in the page, leads to the module.
    for (const stage of document.querySelectorAll(".dl-stage")) {
      if (!stage.hasAttribute("role")) {
        stage.setAttribute("role", "main");
        stage.id = "dl-main";
      }
    }
    if (!document.getElementById("dl-skip-link")) {
      const texts = model.get("texts") || {};
      const link = document.createElement("a");
      link.id = "dl-skip-link";
      link.className = "dl-skip-link";
      link.href = "#dl-main";
      link.textContent = texts.skip_link || "";
      link.addEventListener("click", (event) => {
        event.preventDefault(); // the address names the module: the hash must not change
        const root = currentRoot();
        if (root) headingOf(root.querySelector("h1") || root).focus();
      });
      document.body.prepend(link);
    }
  }

  function keepFocus() {
    // A control disabled while the kernel works, or replaced by what it produced, loses the focus
    // to the page body: give it back to the control, or to its activity's heading.
    const active = document.activeElement;
    if (active && active !== document.body) return;
    if (!lastFocused) return;
    const root = currentRoot();
    if (!root || root.inert) return;
    if (lastFocused.isConnected && root.contains(lastFocused) && !lastFocused.disabled) {
      if (lastFocused.offsetParent !== null) lastFocused.focus({ preventScroll: true });
      return;
    }
    if (lastFocused.isConnected && lastFocused.disabled) return; // it comes back when enabled
    const activity = lastActivity && lastActivity.isConnected && root.contains(lastActivity);
    if (activity) {
      headingOf(lastActivity).focus({ preventScroll: true });
      lastFocused = document.activeElement;
    }
  }

  document.addEventListener(
    "pointerdown",
    () => {
      lastFocused = null; // a click elsewhere is the learner's own move: nothing to give back
      lastActivity = null;
    },
    true,
  );
  document.addEventListener("focusin", (event) => {
    if (event.target === document.body || !(event.target instanceof Element)) return;
    lastFocused = event.target;
    lastActivity = event.target.closest(".dl-page") || lastActivity;
  });

  function apply() {
    scheduled = false;
    const route = routeFromAddress(model.get("modules"));
    const ready = model.get("ready") || {};
    const served = model.get("served") || "";
    for (const root of moduleRoots()) {
      const number = numberOf(root);
      const current = number === route;
      root.style.display = current ? "" : "none";
      const confirmed = served === `${number}:${buildOf(root)}`;
      const drawn = ready[number] === buildOf(root) && root.querySelector(".dl-module-end");
      const usable = current && confirmed && drawn;
      const waiting = current && !confirmed;
      if (root.inert !== waiting) root.inert = waiting;
      if (waiting) root.setAttribute("aria-busy", "true");
      else if (root.hasAttribute("aria-busy")) root.removeAttribute("aria-busy");
      if (usable) {
        if (root.getAttribute("data-dl-module") !== number) {
          root.setAttribute("data-dl-module", number);
        }
        announce(root);
        nameCharts(root);
        const title = focusPending && root.querySelector("h1");
        if (title) {
          focusPending = false;
          title.setAttribute("tabindex", "-1");
          title.focus({ preventScroll: true });
        }
      } else if (root.hasAttribute("data-dl-module")) {
        root.removeAttribute("data-dl-module");
      }
    }
    const titles = model.get("titles") || {};
    if (titles[route] && document.title !== titles[route]) document.title = titles[route];
    landmarks();
    keepFocus();
    // ipywidgets writes title="null" on controls without a tooltip: a description read out « null »
    for (const element of document.querySelectorAll('[title="null"]')) element.removeAttribute("title");
    if (lastShown !== route) {
      focusPending = lastShown !== null;
      lastShown = route;
      window.scrollTo(0, 0);
      // Plotly redraws its figures at their size when they become visible.
      window.dispatchEvent(new Event("resize"));
    }
  }

  function schedule() {
    if (!scheduled) {
      scheduled = true;
      window.requestAnimationFrame(apply);
    }
  }

  function followAddress() {
    const route = routeFromAddress(model.get("modules"));
    if (window.location.hash !== `#${route}`) {
      // An unknown or missing module number: show the home page, without a new history entry.
      window.history.replaceState(null, "", `${window.location.pathname}${window.location.search}#${route}`);
    }
    if (model.get("route") !== route) {
      model.set("route", route);
      model.save_changes();
    }
    schedule();
  }

  const observer = new MutationObserver(schedule);
  observer.observe(document.body, {
    childList: true,
    subtree: true,
    attributes: true,
    attributeFilter: ["disabled", "title"],
  });
  window.addEventListener("hashchange", followAddress);
  model.on("change:ready", schedule);
  model.on("change:served", schedule);
  model.on("change:modules", followAddress);

  let pinged = 0;
  let answered = Date.now();
  let checking = false;
  const ping = window.setInterval(async () => {
    pinged += 1;
    model.send({ ping: pinged });
    if (!checking && Date.now() - answered > SILENCE_SECONDS * 1000) {
      checking = true;
      if (await kernelIsGone()) connectionLost();
      checking = false;
    }
  }, PING_SECONDS * 1000);
  model.on("msg:custom", (message) => {
    answered = Date.now();
    if (message && message.taken_over) showTakenOver(model);
    if (message && typeof message.focus === "string") {
      // a step just revealed: its first element carries this class
      focusWhenDrawn(() => document.querySelector(`.${CSS.escape(message.focus)}`));
    }
  });
  model.on("change:taken_over", () => {
    if (model.get("taken_over")) showTakenOver(model);
  });

  followAddress();
  return () => {
    observer.disconnect();
    window.clearInterval(ping);
    window.removeEventListener("hashchange", followAddress);
  };
}

export default { render };
