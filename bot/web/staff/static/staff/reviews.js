// Keyboard shortcuts on a report's review page: n next report, a approve, f the fix request.
// Only an enhancement: every action is a plain link or form without it.
(function () {
  "use strict";
  function typing(target) {
    var tag = target && target.tagName;
    return tag === "INPUT" || tag === "TEXTAREA" || tag === "SELECT" || (target && target.isContentEditable);
  }
  document.addEventListener("keydown", function (event) {
    if (event.altKey || event.ctrlKey || event.metaKey || typing(event.target)) {
      return;
    }
    var key = event.key;
    if (key === "n") {
      var next = document.getElementById("next");
      if (next) { event.preventDefault(); window.location.href = next.href; }
    } else if (key === "a") {
      var approve = document.getElementById("approve");
      if (approve && !approve.disabled) {
        event.preventDefault();
        var form = document.getElementById("approve-form");
        if (form.requestSubmit) { form.requestSubmit(approve); } else { approve.click(); }
      }
    } else if (key === "f") {
      var reason = document.getElementById("fix-reason");
      var first = document.querySelector("#fix-form input[type=checkbox]");
      if (reason && !reason.disabled) {
        event.preventDefault();
        (first || reason).focus();
        document.getElementById("fix-form").scrollIntoView({ block: "center" });
      }
    }
  });
}());
