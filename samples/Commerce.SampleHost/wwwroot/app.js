// The seller dashboard: signs in, loads the reports of the chosen period over the REST API, and stays live over
// SignalR (the shop's room, each flash sale's room and the user's notifications). Drawing is in panels.js; the
// browser libraries (SignalR client, Chart.js) are bundled from npm at build time into lib/.
"use strict";

const state = {
  token: null, shopId: null, userId: null, expiresAt: null, expiryTimer: null,
  days: 30, from: null, to: null,
  lastSequence: 0, unread: 0, connection: null, refreshTimer: null, rooms: new Set(), expired: false,
};
const $ = id => document.getElementById(id);

class ApiError extends Error {
  constructor(status, title) { super(title); this.status = status; }
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json", ...(options.headers || {}) } });
  if (response.status === 401) {
    expired();
    throw new ApiError(401, "your session has expired");
  }

  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    const detail = problem.errors ? Object.values(problem.errors).flat().join(" ") : problem.detail;
    throw new ApiError(response.status, detail || problem.title || `the host answered ${response.status}`);
  }

  return response.status === 204 ? null : response.json();
}

// ---- signing in and out -------------------------------------------------------------------------------------------

async function signIn() {
  $("signin-error").textContent = "";
  try {
    const response = await fetch("/api/dev/token", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ shopId: $("shop-input").value, userId: $("user-input").value, role: "seller" }) });
    if (!response.ok) throw new Error("The host does not mint tokens outside Development.");
    const token = await response.json();
    sessionStorage.setItem("commerce-token", JSON.stringify(token));
    await start(token);
  } catch (e) {
    $("signin-error").textContent = e.message;
  }
}

async function start(token) {
  Object.assign(state, { token: token.token, shopId: token.shopId, userId: token.userId, expiresAt: new Date(token.expiresAt), expired: false });
  clearTimeout(state.expiryTimer);
  state.expiryTimer = setTimeout(expired, Math.max(0, state.expiresAt - Date.now()));
  $("signin").hidden = true;
  $("banner").hidden = true;
  $("dashboard").hidden = false;
  $("shop-name").textContent = `${state.shopId} · ${state.userId}`;
  await Promise.all([refresh(), loadNotifications().catch(console.error)]);
  await connect().catch(e => { if (!state.expired) setLive(false, e.message); });
}

// An expired (or rejected) token: say so, stop the live connection, and offer to sign in again.
function expired() {
  if (state.expired) return;
  state.expired = true;
  sessionStorage.removeItem("commerce-token");
  state.connection?.stop();
  setLive(false);
  $("banner-text").textContent = "Your session has expired. Sign in again to see live numbers.";
  $("banner").hidden = false;
}

function signOut() {
  $("banner").hidden = true;
  $("dashboard").hidden = true;
  $("signin").hidden = false;
}

// ---- the period -----------------------------------------------------------------------------------------------------

// The range asked for: custom dates, else a preset's days, which the host counts back from the shop's today at each
// refresh (a page left open across the shop's midnight moves to the new day).
function range() {
  return state.from && state.to ? `start=${state.from}&end=${state.to}` : `days=${state.days}`;
}

function choosePreset(days) {
  Object.assign(state, { days, from: null, to: null });
  document.querySelectorAll(".periods button").forEach(b => b.classList.toggle("selected", Number(b.dataset.days) === days));
  refresh();
}

function chooseCustom() {
  const from = $("from").value, to = $("to").value;
  if (!from || !to || from > to) {
    $("period").textContent = "Choose a start date on or before the end date.";
    $("period").classList.add("error");
    return;
  }

  Object.assign(state, { from, to });
  document.querySelectorAll(".periods button").forEach(b => b.classList.remove("selected"));
  refresh();
}

// ---- loading the reports --------------------------------------------------------------------------------------------

async function load(panelId, work) {
  Panels.state(panelId, "loading");
  try {
    await work();
    Panels.state(panelId, "ready");
  } catch (e) {
    if (e.status !== 401) Panels.state(panelId, "error", e.message, () => refresh());
    throw e;
  }
}

async function refresh() {
  if (state.expired) return;
  const shop = encodeURIComponent(state.shopId);
  const period = `&${range()}`;
  $("period").classList.remove("error");
  const shelf = load("shelf-panel", async () => Panels.shelf(await api(`/api/smart-shelf/dashboard/${shop}`)));
  const sales = loadFlashSales();
  let metrics;
  const head = load("metrics", async () => {
    metrics = await api(`/api/reports/metrics?shopId=${shop}${period}`);
    $("from").value = metrics.start;
    $("to").value = metrics.end;
    Panels.metrics(metrics);
  });
  const rest = head.then(() => {
    const interval = $("interval").value;
    const current = `start=${metrics.start}&end=${metrics.end}`;
    return Promise.allSettled([
      load("sales-panel", async () => {
        const [now, before] = await Promise.all([
          api(`/api/reports/sales-summary?shopId=${shop}&interval=${interval}&${current}`),
          api(`/api/reports/sales-summary?shopId=${shop}&interval=${interval}&start=${metrics.previousStart}&end=${metrics.previousEnd}`),
        ]);
        Panels.sales(now, before);
      }),
      load("platforms-panel", async () => Panels.platforms(await api(`/api/reports/platform-comparison?shopId=${shop}&${current}`))),
    ]);
  }, e => { Panels.state("sales-panel", "error", e.message, () => refresh()); Panels.state("platforms-panel", "error", e.message, () => refresh()); });
  await Promise.allSettled([shelf, sales, head, rest]);
  $("refreshed").textContent = new Date().toLocaleTimeString();
}

async function loadFlashSales() {
  await load("sales-live-panel", async () => {
    const list = await api(`/api/v1/flash-sales?shopId=${encodeURIComponent(state.shopId)}`);
    Panels.flashSales(list.items);
    await Promise.all(list.items.map(s => join(`flash_sale:${s.id}`)));
  });
}

async function loadNotifications() {
  const page = await api("/api/notifications?limit=20");
  $("notifications").innerHTML = "";
  Panels.empty($("notifications"), page.items.length === 0);
  page.items.slice().reverse().forEach(n => Panels.notification(n, markRead));
  state.lastSequence = page.items.length ? page.items[0].sequence : state.lastSequence;
  setUnread(page.unreadCount);
}

async function markRead(n, li) {
  const r = await api(`/api/notifications/${n.id}/read`, { method: "POST" });
  if (r.marked) { li.className = ""; setUnread(state.unread - 1); }
}

function setUnread(count) {
  state.unread = Math.max(0, count);
  Panels.unread(state.unread);
}

// Room events say "something changed": refresh at most every 500 ms so a burst of webhooks costs one refresh.
function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => { state.refreshTimer = null; await refresh().catch(console.error); }, 500);
}

// ---- live ------------------------------------------------------------------------------------------------------------

async function join(room) {
  if (!state.connection || state.rooms.has(room)) return;
  await state.connection.invoke("JoinRoom", room);
  state.rooms.add(room);
}

async function connect() {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/notifications?after=${state.lastSequence}`, { accessTokenFactory: () => state.token })
    .withAutomaticReconnect()
    .build();
  connection.on("notification", n => {
    if (n.sequence <= state.lastSequence) return;
    state.lastSequence = n.sequence;
    Panels.notification(n, markRead);
    setUnread(state.unread + 1);
  });
  connection.on("roomEvent", e => {
    if (e.type === "flash_sale_stock") Panels.flashSaleStock(e.data);
    else if (e.type === "flash_sale_queue") Panels.flashSaleQueue(e.data);
    else if (e.type === "flash_sale_lifecycle") loadFlashSales().catch(console.error);
    else scheduleRefresh();
  });
  connection.on("resync", () => scheduleRefresh());
  connection.onreconnecting(() => setLive(false));
  connection.onreconnected(async () => {
    setLive(true);
    const rooms = [...state.rooms];
    state.rooms.clear();
    await Promise.all(rooms.map(join));
    await connection.invoke("Resume", state.lastSequence);
    scheduleRefresh();
  });
  await connection.start();
  state.connection = connection;
  await join(`shop:${state.shopId}`);
  await loadFlashSales().catch(console.error);   // joins the rooms of the sales listed before the connection was up
  setLive(true);
}

function setLive(on, why) {
  $("live").textContent = on ? "live" : "offline";
  $("live").className = on ? "status on" : "status";
  $("live").title = why ? `real-time connection: ${why}` : "real-time connection";
}

$("signin-button").onclick = signIn;
$("banner-action").onclick = signOut;
$("interval").onchange = () => refresh();
$("apply-custom").onclick = chooseCustom;
document.querySelectorAll(".periods button").forEach(b => b.onclick = () => choosePreset(Number(b.dataset.days)));
$("read-all").onclick = async () => { await api("/api/notifications/read-all", { method: "POST" }); await loadNotifications(); };
$("bell").onclick = () => $("notifications-panel").scrollIntoView();
setInterval(() => Panels.countdowns(), 1000);

const saved = sessionStorage.getItem("commerce-token");
if (saved) {
  const token = JSON.parse(saved);
  if (new Date(token.expiresAt) > new Date()) start(token).catch(console.error);
  else { sessionStorage.removeItem("commerce-token"); $("signin-error").textContent = "Your session has expired. Sign in again."; }
}
