// The sign-in page waits for the confirmation in LINE by itself: it asks every 2 seconds and,
// once confirmed, sends the page's own "continue" form (which carries its CSRF token).
(function () {
  "use strict";
  var box = document.getElementById("sign-in");
  var form = document.getElementById("collect");
  var state = document.getElementById("state");
  if (!box || !form || !state) return;
  var url = box.getAttribute("data-status-url");

  function show(key) {
    state.textContent = box.getAttribute("data-" + key);
  }

  function poll() {
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.json(); })
      .then(function (answer) {
        if (answer.state === "confirmed") {
          show("confirmed");
          form.submit();
        } else if (answer.state === "waiting") {
          window.setTimeout(poll, 2000);
        } else if (answer.state === "expired" || answer.state === "cancelled") {
          show(answer.state);
        }
      })
      .catch(function () { window.setTimeout(poll, 4000); });
  }

  window.setTimeout(poll, 2000);
})();
