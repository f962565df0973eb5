/* Draws each post preview as LINE shows it, with the LINE simulator's Flex renderer (flex.js);
   without JavaScript the page shows the post's words instead. */
(function () {
  "use strict";
  if (!window.LineRender) return;
  document.querySelectorAll(".flex-slot[data-flex]").forEach(function (slot) {
    try {
      const message = JSON.parse(slot.dataset.flex);
      slot.appendChild(window.LineRender.message(message, function () {}));
      slot.closest(".line-chat").classList.add("rendered");
    } catch (error) {
      slot.remove();  // the words below stay
    }
  });
})();
