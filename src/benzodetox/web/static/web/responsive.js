/* Tables on a phone or a tablet: a table that does not fit its column, or one of four columns or
   more on a phone, is shown as cards (one card a row, each cell labelled with its column's header),
   so a dose or an action is never beyond the right edge of the screen. No template has to change:
   the labels are copied from each table's own <th> cells. A table whose cells already carry
   data-label (the plan's step table) keeps its own layout; data-cards="never" opts a table out.
   Without JavaScript, responsive.css lets a wide table scroll inside itself instead of the page.
   Only the screen changes: printed pages always show the tables as tables. */
(function () {
  "use strict";
  var PHONE = window.matchMedia("screen and (max-width: 40rem)");
  var CARDS = "rt-cards";

  function text(cell) {
    return (cell.textContent || "").replace(/\s+/g, " ").trim();
  }

  function blank(cell) {
    return text(cell) === "" && !cell.querySelector("input, select, textarea, button, img, svg");
  }

  function headerRow(table) {
    if (table.tHead && table.tHead.rows.length) {
      return table.tHead.rows[table.tHead.rows.length - 1];
    }
    var first = table.rows[0];
    if (first && first.cells.length > 1 && first.querySelectorAll("td").length === 0) {
      return first;
    }
    return null;
  }

  function columnLabels(row) {
    var labels = [];
    for (var i = 0; i < row.cells.length; i += 1) {
      var cell = row.cells[i];
      for (var span = 0; span < (cell.colSpan || 1); span += 1) {
        labels.push(text(cell));
      }
    }
    return labels;
  }

  /* Labels each body cell with the header of its column; returns the number of columns, or 0
     for a table this script leaves alone. */
  function label(table) {
    if (table.dataset.cards === "never" || table.querySelector("td[data-label]:not([data-rt])")) {
      return 0;
    }
    var head = headerRow(table);
    if (!head) {
      return 0;
    }
    var labels = columnLabels(head);
    for (var b = 0; b < table.tBodies.length + (table.tFoot ? 1 : 0); b += 1) {
      var section = b < table.tBodies.length ? table.tBodies[b] : table.tFoot;
      for (var r = 0; r < section.rows.length; r += 1) {
        var row = section.rows[r];
        if (row === head) {
          continue;
        }
        var column = 0;
        for (var c = 0; c < row.cells.length; c += 1) {
          var cell = row.cells[c];
          var span = cell.colSpan || 1;
          var name = span >= labels.length ? "" : labels[column] || "";
          if (cell.tagName === "TD" || cell.scope !== "row") {
            cell.setAttribute("data-label", name);
            cell.setAttribute("data-rt", "");
          }
          cell.classList.toggle("rt-empty", blank(cell));
          column += span;
        }
      }
    }
    table.classList.add("rt");
    return labels.length;
  }

  function overflows(table) {
    var parent = table.parentElement;
    var right = table.getBoundingClientRect().right;
    var edge = document.documentElement.clientWidth;
    return (parent && table.offsetWidth > parent.clientWidth + 1) || right > edge + 1;
  }

  function layout() {
    var tables = document.querySelectorAll("main table");
    var candidates = [];
    for (var i = 0; i < tables.length; i += 1) {
      var table = tables[i];
      var columns = label(table);
      if (!columns) {
        continue;
      }
      table.classList.remove(CARDS);
      candidates.push([table, columns]);
    }
    // First the phone rule, then the tables that still do not fit (a wide table can widen its
    // neighbours' column, so measure again after each change, at most three times).
    candidates.forEach(function (pair) {
      if (PHONE.matches && pair[1] >= 4) {
        pair[0].classList.add(CARDS);
      }
    });
    for (var pass = 0; pass < 3; pass += 1) {
      var changed = false;
      candidates.forEach(function (pair) {
        if (!pair[0].classList.contains(CARDS) && overflows(pair[0])) {
          pair[0].classList.add(CARDS);
          changed = true;
        }
      });
      if (!changed) {
        break;
      }
    }
    document.documentElement.classList.add("rt-ready");
  }

  var pending = null;
  function soon() {
    if (pending === null) {
      pending = window.requestAnimationFrame(function () {
        pending = null;
        layout();
      });
    }
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", layout);
  } else {
    layout();
  }
  window.addEventListener("resize", soon);
  window.addEventListener("load", soon); // fonts and images can change a table's width
  document.addEventListener("htmx:afterSettle", soon); // a fragment brought a new table
})();
