// "Copy link": copies the link to the plan shown (the form's state is the URL). Works for the
// button in each new preview, since the click is handled on the document.
document.addEventListener("click", function (event) {
  var button = event.target.closest ? event.target.closest("#copy-link") : null;
  if (!button) return;
  var field = document.querySelector(button.getAttribute("data-copy"));
  var status = document.getElementById("copy-status");
  if (!field) return;
  field.select();
  var done = function () { if (status) status.textContent = "Link copied."; };
  if (navigator.clipboard && window.isSecureContext) {
    navigator.clipboard.writeText(field.value).then(done, function () {
      if (status) status.textContent = "Select the link and copy it.";
    });
  } else {
    try { document.execCommand("copy"); done(); } catch (e) { if (status) status.textContent = "Select the link and copy it."; }
  }
});
