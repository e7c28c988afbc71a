/* Behaviour that used to be inline in the templates (the Content-Security-Policy runs scripts
   from this server's files only, never inline code or on*= attributes). Handlers are on the
   document, so they also work for content htmx swaps in later. */
(function () {
  "use strict";

  /* A button with data-print prints the page. */
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("[data-print]") : null;
    if (button) {
      event.preventDefault();
      window.print();
    }
  });

  /* The patient handout takes a moment to make: fetch it as a file, show that it is being
     prepared (busy button, a polite live status) and save it when it arrives. Without
     JavaScript the form is an ordinary download; on any failure the form is submitted
     normally, so the page shows the server's message. */
  function done(button, status, text) {
    button.disabled = false;
    button.removeAttribute("aria-busy");
    button.textContent = button.dataset.label;
    status.textContent = text;
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!form || form.id !== "handout-form" || form.dataset.plain) return;
    if (!window.fetch || !window.URL || !URL.createObjectURL) return;
    var button = document.getElementById("download-handout");
    var status = document.getElementById("handout-status");
    if (!button || !status) return;
    event.preventDefault();
    if (button.disabled) return;
    var url = form.action + "?" + new URLSearchParams(new FormData(form)).toString();
    button.disabled = true;
    button.setAttribute("aria-busy", "true");
    button.textContent = button.dataset.busyLabel;
    status.textContent = "Preparing your handout… this can take a few seconds.";
    fetch(url, {credentials: "same-origin"}).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (!response.ok || type.indexOf("application/pdf") !== 0) throw new Error("not a PDF");
      var disposition = response.headers.get("Content-Disposition") || "";
      var match = /filename="([^"]+)"/.exec(disposition);
      return response.blob().then(function (blob) {
        var link = document.createElement("a");
        link.href = URL.createObjectURL(blob);
        link.download = match ? match[1] : "handout.pdf";
        document.body.appendChild(link);
        link.click();
        setTimeout(function () { URL.revokeObjectURL(link.href); link.remove(); }, 1000);
        done(button, status, "Your handout is ready: it has been downloaded.");
      });
    }).catch(function () {
      done(button, status, "");
      form.dataset.plain = "1";
      form.submit();
    });
  });
})();
