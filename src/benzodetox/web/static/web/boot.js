/* Loaded without defer in <head>, before the page is drawn: marks that JavaScript runs, so the
   stylesheets can hide what only works without it. (Was an inline script; the
   Content-Security-Policy allows scripts from this server's files only.) */
document.documentElement.classList.add("js");
