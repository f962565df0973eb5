// The exhibition board, live: asks for new figures every few seconds and updates the page in
// place (never reloading it), counting the total up smoothly to each new figure. When a request
// fails the last figures stay on screen and it tries again later and later (up to two minutes).
(function () {
  "use strict";
  var board = document.getElementById("board");
  if (!board || !window.fetch) { return; }
  var url = board.getAttribute("data-url");
  var poll = (parseInt(board.getAttribute("data-poll"), 10) || 12) * 1000;
  var maxWait = 120 * 1000;
  var rotateEvery = 8000;
  var failures = 0;
  var totalEl = document.getElementById("total");
  var shownKg = parseFloat(totalEl.getAttribute("data-kg")) || 0;
  var counting = null;

  function tonnesText(kg) {
    return (kg / 1000).toLocaleString("en-US", { minimumFractionDigits: 0, maximumFractionDigits: 2 });
  }

  function setText(id, text) {
    var el = document.getElementById(id);
    if (el && el.textContent !== String(text)) { el.textContent = text; }
  }

  // Count from what is shown to `kg` over about two seconds (easing out), then show the server's
  // own words for the figure so the last digit is exactly the page's.
  function countTo(kg, finalText) {
    if (counting) { window.cancelAnimationFrame(counting); counting = null; }
    var from = shownKg;
    if (Math.abs(kg - from) < 0.0005) { totalEl.textContent = finalText; return; }
    var start = null;
    var duration = 2200;
    function frame(now) {
      if (start === null) { start = now; }
      var t = Math.min(1, (now - start) / duration);
      var eased = 1 - Math.pow(1 - t, 3);
      shownKg = from + (kg - from) * eased;
      totalEl.textContent = t < 1 ? tonnesText(shownKg) : finalText;
      if (t < 1) { counting = window.requestAnimationFrame(frame); } else { shownKg = kg; counting = null; }
    }
    counting = window.requestAnimationFrame(frame);
  }

  var rotation = 0;
  function articles() { return document.querySelectorAll("#highlights .activity"); }

  function showHighlight(index) {
    var all = articles();
    if (!all.length) { return; }
    rotation = index % all.length;
    for (var i = 0; i < all.length; i++) { all[i].hidden = i !== rotation; }
  }

  function buildHighlights(items) {
    var box = document.getElementById("highlights");
    var template = document.getElementById("highlight-template");
    if (!box || !template || !items.length) { return; }
    var currentId = null;
    var all = articles();
    if (all.length) { currentId = all[rotation % all.length].getAttribute("data-id"); }
    var fragment = document.createDocumentFragment();
    var keep = 0;
    items.forEach(function (item, i) {
      var node = template.content.firstElementChild.cloneNode(true);
      node.setAttribute("data-id", String(item.id));
      var img = node.querySelector("img");
      if (item.photo) {
        node.classList.add("with-photo");
        img.src = item.photo;
        img.alt = board.getAttribute("data-photo-alt") + ": " + item.activity;
      } else {
        img.remove();
      }
      node.querySelector(".kind").textContent = item.activity;
      node.querySelector(".result").textContent = item.tonnes;
      node.querySelector(".where").textContent = (item.agency ? item.agency + " · " : "") + item.province;
      node.querySelector(".when").textContent = item.period;
      if (String(item.id) === currentId) { keep = i; }
      fragment.appendChild(node);
    });
    box.replaceChildren(fragment);
    showHighlight(keep);
  }

  function apply(data) {
    if (!data || !data.ready) { return; }
    countTo(parseFloat(data.total_kg) || 0, data.total);
    setText("campaign", data.campaign);
    setText("reports", data.reports_text);
    setText("agencies", data.agencies);
    setText("target", data.target);
    var progress = document.getElementById("progress");
    if (progress) {
      progress.max = data.target || 1;
      progress.value = Math.min(data.agencies, data.target || 1);
    }
    setText("updated", data.updated);
    buildHighlights(data.highlights || []);
  }

  function status(offline) {
    var el = document.getElementById("status");
    if (el) { el.textContent = offline ? el.getAttribute("data-offline") : ""; }
  }

  function refresh() {
    var controller = window.AbortController ? new AbortController() : null;
    var timer = controller ? window.setTimeout(function () { controller.abort(); }, 10000) : null;
    window.fetch(url, { cache: "no-store", headers: { Accept: "application/json" }, signal: controller ? controller.signal : undefined })
      .then(function (response) {
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.json();
      })
      .then(function (data) {
        failures = 0;
        status(false);
        apply(data);
      })
      .catch(function () {
        failures += 1;
        status(true);
      })
      .then(function () {
        if (timer) { window.clearTimeout(timer); }
        var wait = failures ? Math.min(maxWait, poll * Math.pow(2, failures - 1)) : poll;
        window.setTimeout(refresh, wait);
      });
  }

  var first = 0;
  var all = articles();
  for (var i = 0; i < all.length; i++) { if (!all[i].hidden) { first = i; } }
  rotation = first;
  window.setInterval(function () { showHighlight(rotation + 1); }, rotateEvery);
  window.setTimeout(refresh, poll);
})();
