// The seller dashboard: reports over the REST API, live updates over SignalR (the shop's room and the user's
// notifications). No framework; the SignalR client is bundled from npm at build time (lib/signalr.min.js).
"use strict";

const state = { token: null, shopId: null, userId: null, lastSequence: 0, unread: 0, connection: null, refreshTimer: null };
const $ = id => document.getElementById(id);
const money = v => Number(v).toLocaleString(undefined, { minimumFractionDigits: 2, maximumFractionDigits: 2 });
const percent = v => v === null || v === undefined ? "" : `${v >= 0 ? "▲" : "▼"} ${(Math.abs(v) * 100).toFixed(1)}%`;

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { "Authorization": `Bearer ${state.token}`, "Content-Type": "application/json", ...(options.headers || {}) } });
  if (!response.ok) {
    const problem = await response.json().catch(() => ({}));
    throw new Error(problem.title || `${response.status}`);
  }
  return response.status === 204 ? null : response.json();
}

async function signIn() {
  $("signin-error").textContent = "";
  try {
    const response = await fetch("/api/dev/token", { method: "POST", headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ shopId: $("shop-input").value, userId: $("user-input").value, role: "admin" }) });
    if (!response.ok) throw new Error("The host does not mint tokens outside Development.");
    const token = await response.json();
    Object.assign(state, { token: token.token, shopId: token.shopId, userId: token.userId });
    sessionStorage.setItem("commerce-token", JSON.stringify(token));
    await start();
  } catch (e) {
    $("signin-error").textContent = e.message;
  }
}

async function start() {
  $("signin").hidden = true;
  $("dashboard").hidden = false;
  $("shop-name").textContent = `${state.shopId} · ${state.userId}`;
  await Promise.all([refresh(), loadNotifications()]);
  await connect();
}

async function refresh() {
  const shop = encodeURIComponent(state.shopId);
  const interval = $("interval").value;
  const [metrics, sales, platforms, atRisk] = await Promise.all([
    api(`/api/reports/metrics?shopId=${shop}`),
    api(`/api/reports/sales-summary?shopId=${shop}&interval=${interval}&start=${daysAgo(interval === "month" ? 364 : interval === "week" ? 83 : 29)}`),
    api(`/api/reports/platform-comparison?shopId=${shop}`),
    api(`/api/smart-shelf/at-risk/${shop}?limit=10`),
  ]);
  $("m-revenue").textContent = money(metrics.totalRevenue);
  $("m-revenue-change").textContent = percent(metrics.revenueChange);
  $("m-orders").textContent = metrics.totalOrders;
  $("m-orders-change").textContent = percent(metrics.ordersChange);
  $("m-aov").textContent = money(metrics.averageOrderValue);
  $("m-profit").textContent = money(metrics.totalProfit);
  drawChart(sales);
  $("platforms").tBodies[0].innerHTML = platforms.platforms.map(p =>
    `<tr><td>${escape(p.platform)}</td><td>${money(p.revenue)}</td><td>${p.orders}</td><td>${p.revenueShare === null ? "" : (p.revenueShare * 100).toFixed(1) + "%"}</td></tr>`).join("");
  $("at-risk").tBodies[0].innerHTML = atRisk.items.map(p =>
    `<tr><td>${escape(p.name)}</td><td>${p.stock}</td><td>${Number(p.daysOfCover).toFixed(1)}</td><td>${p.reorderPoint}</td></tr>`).join("");
  $("refreshed").textContent = new Date().toLocaleTimeString();
}

function daysAgo(days) {
  const d = new Date(Date.now() - days * 86400000);
  return d.toISOString().slice(0, 10);
}

function drawChart(points) {
  const svg = $("chart");
  const max = Math.max(1, ...points.map(p => Number(p.revenue)));
  const width = 800 / Math.max(1, points.length);
  svg.innerHTML = points.map((p, i) => {
    const h = Number(p.revenue) / max * 190;
    return `<rect x="${i * width + 1}" y="${200 - h}" width="${Math.max(1, width - 2)}" height="${h}"><title>${p.period}: ${money(p.revenue)} (${p.orders} orders)</title></rect>`;
  }).join("") + `<text x="2" y="215">${points.length ? points[0].period : ""}</text><text x="700" y="215">${points.length ? points[points.length - 1].period : ""}</text>`;
}

async function loadNotifications() {
  const page = await api("/api/notifications?limit=20");
  $("notifications").innerHTML = "";
  page.items.slice().reverse().forEach(showNotification);
  state.lastSequence = page.items.length ? page.items[0].sequence : state.lastSequence;
  setUnread(page.unreadCount);
}

function showNotification(n) {
  const li = document.createElement("li");
  li.className = n.readAt ? "" : "unread";
  li.textContent = `${new Date(n.createdAt).toLocaleTimeString()} — ${n.title}`;
  li.onclick = async () => { const r = await api(`/api/notifications/${n.id}/read`, { method: "POST" }); if (r.marked) { li.className = ""; setUnread(state.unread - 1); } };
  $("notifications").prepend(li);
}

function setUnread(count) {
  state.unread = Math.max(0, count);
  $("unread").textContent = state.unread;
}

// Room events say "something changed": refresh at most every 500 ms so a burst of webhooks costs one refresh.
function scheduleRefresh() {
  if (state.refreshTimer) return;
  state.refreshTimer = setTimeout(async () => { state.refreshTimer = null; await refresh().catch(console.error); }, 500);
}

async function connect() {
  const connection = new signalR.HubConnectionBuilder()
    .withUrl(`/hubs/notifications?after=${state.lastSequence}`, { accessTokenFactory: () => state.token })
    .withAutomaticReconnect()
    .build();
  connection.on("notification", n => {
    if (n.sequence <= state.lastSequence) return;
    state.lastSequence = n.sequence;
    showNotification(n);
    setUnread(state.unread + 1);
  });
  connection.on("roomEvent", () => scheduleRefresh());
  connection.on("resync", () => scheduleRefresh());
  connection.onreconnecting(() => setLive(false));
  connection.onreconnected(async () => {
    setLive(true);
    await connection.invoke("JoinRoom", `shop:${state.shopId}`);
    await connection.invoke("Resume", state.lastSequence);
    scheduleRefresh();
  });
  await connection.start();
  await connection.invoke("JoinRoom", `shop:${state.shopId}`);
  state.connection = connection;
  setLive(true);
}

function setLive(on) {
  $("live").textContent = on ? "live" : "offline";
  $("live").className = on ? "status on" : "status";
}

function escape(text) {
  const div = document.createElement("div");
  div.textContent = text ?? "";
  return div.innerHTML;
}

$("signin-button").onclick = signIn;
$("interval").onchange = () => refresh().catch(console.error);
$("read-all").onclick = async () => { await api("/api/notifications/read-all", { method: "POST" }); await loadNotifications(); };
$("bell").onclick = () => $("notifications-panel").scrollIntoView();

const saved = sessionStorage.getItem("commerce-token");
if (saved) {
  const token = JSON.parse(saved);
  if (new Date(token.expiresAt) > new Date()) {
    Object.assign(state, { token: token.token, shopId: token.shopId, userId: token.userId });
    start().catch(() => { sessionStorage.removeItem("commerce-token"); location.reload(); });
  }
}
