/* Writes dates and times exactly as the server does (kernel/dates.py): the
 * words and patterns come from the page (`{% moment_table %}`), the calendar
 * fields from the browser's Intl API in the community's time zone. */
(function () {
  "use strict";

  var element = document.getElementById("moment-table");
  if (!element) { return; }
  var table = JSON.parse(element.textContent);

  function fields(iso) {
    var parts = {};
    new Intl.DateTimeFormat("en-GB", {
      timeZone: table.zone, year: "numeric", month: "numeric", day: "numeric",
      hour: "2-digit", minute: "2-digit", hourCycle: "h23"
    }).formatToParts(new Date(iso)).forEach(function (part) { parts[part.type] = part.value; });
    return parts;
  }

  function fill(pattern, values) {
    return pattern.replace(/\{(\w+)\}/g, function (_whole, name) { return values[name]; });
  }

  function values(iso) {
    var p = fields(iso);
    return {
      d: p.day === "01" || p.day === "1" ? table.first : String(parseInt(p.day, 10)),
      month: table.months[parseInt(p.month, 10) - 1],
      y: p.year, H: p.hour, M: p.minute, zone: table.zone
    };
  }

  window.CommonsMoments = {
    moment: function (iso) { return iso ? fill(table.moment, values(iso)) : ""; },
    day: function (iso) { return iso ? fill(table.day, values(iso)) : ""; }
  };
}());
