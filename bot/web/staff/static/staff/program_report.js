// The program report's print button: shown only when scripts run (printing works from the browser's menu too).
"use strict";
(function () {
  var button = document.getElementById("print-report");
  if (!button) return;
  button.hidden = false;
  button.addEventListener("click", function () { window.print(); });
})();
