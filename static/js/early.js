// Before the first paint (loaded without defer in <head>): the phone layout folds the menu
// only when the script that opens it runs, and folding it from the start keeps the page
// from jumping when that script loads. A file, not an inline script: the
// Content-Security-Policy allows no inline script (core.middleware).
document.documentElement.classList.add("js");
