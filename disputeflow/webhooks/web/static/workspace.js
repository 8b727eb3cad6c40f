/* disputeflow workspace: the only script. While a case has actions queued or running, ask
   status.json every 1.5 s and reload the page once anything changed. Without script, the
   page refreshes itself (a <noscript> meta refresh) instead. */
(function () {
  "use strict";
  var box = document.querySelector("[data-poll]");
  if (!box || !window.fetch || box.getAttribute("data-active") !== "1") {
    return;
  }
  var url = box.getAttribute("data-poll");
  var seen = box.getAttribute("data-signature");
  var tries = 0;
  function again(delay) {
    tries += 1;
    if (tries < 400) {
      window.setTimeout(tick, delay);
    }
  }
  function tick() {
    window.fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(function (data) {
        if (data && data.signature !== seen) {
          window.location.reload();
        } else if (!data || data.active) {
          again(1500);
        }
      })
      .catch(function () { again(3000); });
  }
  again(1000);
}());
