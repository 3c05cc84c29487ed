/* The site's footer script (Power Pages footer Web Template), which runs just before the
 * pasted widget tag: remembers what the page looked like before the widget, for the
 * end-to-end tests (window.contosoSite.before). */
window.contosoSite.before = window.contosoSite.snapshot();
