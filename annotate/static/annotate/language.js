// Loaded by every page right after the JavaScript catalog (gettext, ngettext,
// interpolate): formats in the page's language and plateau time, and the
// header's language switcher.
(function () {
  const lang = document.documentElement.lang || "en";
  // Intl wants BCP 47 tags: Django's "zh-hans" is "zh-Hans".
  const locale = lang.replace(/-hans$/i, "-Hans").replace(/-hant$/i, "-Hant");
  const timeZone = "Asia/Shanghai";
  const numberFormats = new Map();

  function number(value, options = {}) {
    if (value == null || Number.isNaN(value)) return "";
    const key = JSON.stringify(options);
    if (!numberFormats.has(key)) numberFormats.set(key, new Intl.NumberFormat(locale, options));
    return numberFormats.get(key).format(value);
  }

  function dateTime(value, options = { dateStyle: "medium", timeStyle: "short" }) {
    if (!value) return "";
    const date = value instanceof Date ? value : new Date(value);
    if (Number.isNaN(date.getTime())) return String(value);
    return new Intl.DateTimeFormat(locale, { timeZone, ...options }).format(date);
  }

  // l10n.number(1234.5, {maximumFractionDigits: 1}), l10n.percent(0.42),
  // l10n.dateTime(iso), l10n.date(iso), l10n.time(iso): in the page's language,
  // times in Asia/Shanghai.
  globalThis.l10n = {
    locale,
    timeZone,
    number,
    percent: (share, digits = 0) => number(share, { style: "percent", maximumFractionDigits: digits }),
    dateTime,
    date: (value) => dateTime(value, { dateStyle: "medium" }),
    time: (value) => dateTime(value, { timeStyle: "short" }),
  };

  // Choosing a language applies it at once (the button stays for pages without scripts).
  document.addEventListener("DOMContentLoaded", () => {
    for (const form of document.querySelectorAll("form.language-switch")) {
      const select = form.querySelector("select");
      const button = form.querySelector("button");
      if (button) button.hidden = true;
      select.addEventListener("change", () => form.submit());
    }
  });
})();
