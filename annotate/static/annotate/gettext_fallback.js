// Until Django's JavaScript catalog is loaded on the page, gettext and friends
// answer in English, so that scripts written for translation run everywhere.
(function () {
  if (typeof window.gettext === "function") return;
  window.gettext = (text) => text;
  window.ngettext = (singular, plural, count) => (count === 1 ? singular : plural);
  window.interpolate = (format, values, named) => (named
    ? format.replace(/%\(\w+\)s/g, (m) => String(values[m.slice(2, -2)]))
    : format.replace(/%s/g, () => String(values.shift())));
})();
