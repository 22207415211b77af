// The dashboard's panels: how each report is drawn (metrics, the Chart.js chart, tables, flash sales, notifications)
// and each panel's loading, empty and error states. No fetching here: app.js loads the data and calls these.
"use strict";

const Panels = (() => {
  const $ = id => document.getElementById(id);
  let currency = "USD";
  let chart = null;

  const money = v => new Intl.NumberFormat(undefined, { style: "currency", currency }).format(Number(v));
  const number = v => new Intl.NumberFormat().format(Number(v));
  const percent = v => v === null || v === undefined ? "–" : `${(Number(v) * 100).toFixed(1)}%`;
  const date = d => new Date(`${d}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric", year: "numeric" });
  // Against the period before: "▲ 12.5% vs THB 1,000.00", or "none in the period before".
  const change = (v, before) => v === null || v === undefined ? "none in the period before" : `${v >= 0 ? "▲" : "▼"} ${(Math.abs(v) * 100).toFixed(1)}% vs ${before}`;

  function escape(text) {
    const div = document.createElement("div");
    div.textContent = text ?? "";
    return div.innerHTML;
  }

  // A panel is a .panel card: "loading" dims it, an empty state shows its <p class="empty">, an error replaces both.
  function state(id, status, message, retry) {
    const panel = $(id);
    panel.classList.toggle("loading", status === "loading");
    if (status !== "ready") panel.querySelectorAll(".empty").forEach(p => p.hidden = true);   // ready: as drawn
    panel.querySelector(":scope > .failure")?.remove();
    if (status === "error") {
      const failure = document.createElement("p");
      failure.className = "failure";
      failure.textContent = `Couldn't load this: ${message}. `;
      const button = document.createElement("button");
      button.textContent = "Retry";
      button.onclick = retry;
      failure.append(button);
      panel.append(failure);
    }
  }

  function empty(tbodyOrList, isEmpty) {
    const container = tbodyOrList.closest("table") ?? tbodyOrList;
    const note = container.parentElement.querySelector(":scope > .empty");
    if (note) note.hidden = !isEmpty;
    container.hidden = isEmpty;
  }

  function metrics(m) {
    currency = m.currency || currency;
    $("currency").textContent = currency;
    $("m-revenue").textContent = money(m.totalRevenue);
    $("m-revenue-change").textContent = change(m.revenueChange, money(m.previousRevenue));
    $("m-orders").textContent = number(m.totalOrders);
    $("m-orders-change").textContent = change(m.ordersChange, number(m.previousOrders));
    $("m-aov").textContent = money(m.averageOrderValue);
    $("m-units").textContent = `${number(m.totalUnits)} units`;
    $("m-revenue").title = `gross sales ${money(m.grossSales)} − discounts ${money(m.discounts)} − returns ${money(m.returns)}`;
    $("m-profit").textContent = money(m.totalProfit);
    $("m-profit").title = `net sales − cost of goods ${money(m.cogs)} − platform fees ${money(m.platformFees)}`;
    $("m-fees").textContent = money(m.platformFees);
    $("m-extras").textContent = `discounts ${money(m.discounts)} · returns ${money(m.returns)} · shipping ${money(m.shipping)} · taxes ${money(m.taxes)}`;
    $("m-margin").textContent = Number(m.totalRevenue) > 0 ? `${percent(m.totalProfit / m.totalRevenue)} margin` : "";
    $("period").textContent = `${date(m.start)} – ${date(m.end)} · compared with ${date(m.previousStart)} – ${date(m.previousEnd)}`;
    const top = $("top-products");
    top.innerHTML = m.topProducts.map(p =>
      `<tr><td>${escape(p.name || p.productId)}</td><td class="num">${number(p.units)}</td><td class="num">${money(p.revenue)}</td></tr>`).join("");
    empty(top, m.topProducts.length === 0);
  }

  // Net sales as bars, gross profit as a line, the comparison period's net sales dashed; values on hover.
  function sales(points, previous) {
    const hasSales = points.some(p => Number(p.revenue) !== 0 || p.orders !== 0);
    document.querySelector("[data-testid=sales-empty]").hidden = hasSales;
    const data = {
      labels: points.map(p => date(p.period)),
      datasets: [
        { type: "bar", label: "Net sales", data: points.map(p => Number(p.revenue)), backgroundColor: "#3b6fd8", order: 2 },
        { type: "line", label: "Gross profit", data: points.map(p => Number(p.grossProfit)), borderColor: "#23a05a", backgroundColor: "#23a05a", tension: 0.25, order: 1 },
        { type: "line", label: "Net sales, previous period", data: previous.map(p => Number(p.revenue)), borderColor: "#9aa3b5", borderDash: [6, 4], pointRadius: 0, order: 0 },
      ],
    };
    if (chart) {
      chart.data = data;
      chart.update();
      return;
    }

    chart = new Chart($("sales-chart"), {
      data,
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        scales: { y: { beginAtZero: true, ticks: { callback: v => money(v) } } },
        plugins: { tooltip: { callbacks: { label: c => `${c.dataset.label}: ${money(c.parsed.y)}` } } },
      },
    });
  }

  function platforms(report) {
    const body = $("platforms");
    body.innerHTML = report.platforms.map(p => `<tr><td>${escape(p.platform)}</td><td class="num">${money(p.revenue)}</td><td class="num">${number(p.orders)}</td>` +
      `<td class="num">${percent(p.revenueShare)}</td><td class="num">${money(p.returns)}</td><td class="num">${money(p.platformFees)}</td><td class="num">${money(p.grossProfit)}</td><td class="num">${Number(p.revenue) > 0 ? percent(p.grossProfit / p.revenue) : "–"}</td></tr>`).join("");
    empty(body, report.platforms.length === 0);
  }

  // Stock-out dates, sell-through and ABC classes come from the report (SmartShelf in Commerce.Analytics).
  function shelf(s) {
    const worth = Object.entries(s.inventoryValueByCurrency ?? {}).map(([c, v]) => new Intl.NumberFormat(undefined, { style: "currency", currency: c }).format(Number(v))).join(" + ");
    $("inventory-value").textContent = `${number(s.products)} products · stock worth ${worth || money(s.inventoryValue)}`;
    $("at-risk-count").textContent = s.atRiskCount;
    $("dead-count").textContent = s.deadStockCount;
    $("expiring-count").textContent = s.expiringCount;
    const runsOut = p => Number(p.stock) === 0 ? "out of stock" : p.stockOutDate ? new Date(`${p.stockOutDate}T00:00:00`).toLocaleDateString(undefined, { month: "short", day: "numeric" }) : "–";
    $("at-risk").innerHTML = s.atRisk.map(p => `<tr><td>${escape(p.name)} <span class="chip" title="ABC class by revenue">${escape(p.abcClass)}</span></td><td class="num">${number(p.stock)}</td>` +
      `<td class="num">${Number(p.daysOfCover).toFixed(1)}</td><td>${runsOut(p)}</td><td class="num">${number(p.reorderPoint)}</td>` +
      `<td class="num">${p.sellThroughRate === null ? "–" : percent(p.sellThroughRate)}</td></tr>`).join("");
    $("dead-stock").innerHTML = s.deadStock.map(p => `<tr><td>${escape(p.name)}</td><td class="num">${number(p.stock)}</td><td class="num">${number(p.daysWithoutSale)}</td><td class="num">${money(p.stockValue)}</td></tr>`).join("");
    $("expiring").innerHTML = s.expiring.map(p => `<tr><td>${escape(p.name)}</td><td class="num">${number(p.stock)}</td><td>${new Date(p.expiresAt).toLocaleDateString()} (${p.daysToExpiry} d)</td></tr>`).join("");
    empty($("at-risk"), s.atRisk.length === 0);
    empty($("dead-stock"), s.deadStock.length === 0);
    empty($("expiring"), s.expiring.length === 0);
  }

  // Flash sales with what is left per item and a countdown to the start or the end (ticked by countdowns()).
  function flashSales(list) {
    const ul = $("flash-sales");
    ul.innerHTML = list.map(s => `<li data-sale="${s.id}" data-starts="${s.startsAt}" data-ends="${s.endsAt}">` +
      `<strong>${escape(s.name)}</strong> <span class="chip ${String(s.status).toLowerCase()}">${escape(String(s.status))}</span> <span class="countdown"></span> <span class="queue"></span>` +
      s.items.map(i => `<div class="item" data-product="${escape(i.productId)}">${escape(i.productId)}: <span class="available">${number(i.available)}</span> of ${number(i.stock)} left` +
        `<progress max="${i.stock}" value="${i.available}"></progress></div>`).join("") + "</li>").join("");
    empty(ul, list.length === 0);
    countdowns();
  }

  // A stock snapshot from the sale's room (flash_sale_stock): update its items in place.
  function flashSaleStock(snapshot) {
    const li = document.querySelector(`[data-sale="${snapshot.saleId}"]`);
    if (!li) return;
    const chip = li.querySelector(".chip");
    chip.textContent = snapshot.status;
    chip.className = `chip ${String(snapshot.status).toLowerCase()}`;
    for (const item of snapshot.items) {
      const row = li.querySelector(`[data-product="${CSS.escape(item.productId)}"]`);
      if (!row) continue;
      row.querySelector(".available").textContent = number(item.available);
      row.querySelector("progress").value = item.available;
    }
  }

  // A waiting room's state from the sale's room (flash_sale_queue): how many still wait, how many were admitted.
  function flashSaleQueue(queue) {
    const li = document.querySelector(`[data-sale="${queue.saleId}"]`);
    if (!li) return;
    const waiting = Math.max(0, queue.queueLength - queue.admittedThrough);
    li.querySelector(".queue").textContent = `queue: ${number(waiting)} waiting, ${number(Math.min(queue.admittedThrough, queue.queueLength))} admitted` +
      (queue.soldOut ? " (sold out)" : "");
  }

  function countdowns() {
    const now = Date.now();
    for (const li of document.querySelectorAll("#flash-sales li")) {
      const starts = Date.parse(li.dataset.starts), ends = Date.parse(li.dataset.ends);
      const [label, at] = now < starts ? ["starts in", starts] : now < ends ? ["ends in", ends] : ["ended", null];
      const left = at === null ? 0 : Math.max(0, Math.floor((at - now) / 1000));
      const h = Math.floor(left / 3600), m = Math.floor(left % 3600 / 60), sec = left % 60;
      li.querySelector(".countdown").textContent = at === null ? label : `${label} ${h}:${String(m).padStart(2, "0")}:${String(sec).padStart(2, "0")}`;
    }
  }

  function notification(n, onRead) {
    const li = document.createElement("li");
    li.className = n.readAt ? "" : "unread";
    li.innerHTML = `<time>${new Date(n.createdAt).toLocaleString()}</time> ${escape(n.title)}`;
    li.onclick = () => onRead(n, li);
    $("notifications").prepend(li);
    empty($("notifications"), false);
  }

  function unread(count) {
    $("unread").textContent = count;
    $("unread").hidden = count === 0;
  }

  return { state, empty, metrics, sales, platforms, shelf, flashSales, flashSaleStock, flashSaleQueue, countdowns, notification, unread, escape };
})();
