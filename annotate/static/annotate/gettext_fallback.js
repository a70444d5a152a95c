// Identity stand-ins for Django's JavaScript catalog functions, so pages keep
// working where the catalog is not loaded; the catalog, when it loads,
// replaces them with the translating versions.
(function (globals) {
  if (typeof globals.gettext === "function") return;
  globals.gettext = (msgid) => msgid;
  globals.ngettext = (singular, plural, count) => (count === 1 ? singular : plural);
  globals.interpolate = (fmt, obj, named) => (named
    ? fmt.replace(/%\(\w+\)s/g, (m) => String(obj[m.slice(2, -2)]))
    : fmt.replace(/%s/g, () => String(obj.shift())));
  globals.pgettext = (context, msgid) => msgid;
})(this);
