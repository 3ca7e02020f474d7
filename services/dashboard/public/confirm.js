// @ts-check
/**
 * Asks before sending a form that carries data-confirm (stop, remove, force exit). Runs in the
 * capture phase, so a cancelled form reaches neither the server nor another script's handler.
 */
(function () {
  'use strict';
  document.addEventListener(
    'submit',
    function (e) {
      var form = e.target;
      if (!(form instanceof HTMLFormElement)) return;
      var question = form.getAttribute('data-confirm');
      if (question && !window.confirm(question)) {
        e.preventDefault();
        e.stopImmediatePropagation();
      }
    },
    true,
  );
})();
