/* Carebridge map page. Every piece of text from the data goes through textContent or a plain
   DataSet label (drawn on the canvas), never parsed as markup: names are data. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("carebridge-data").textContent);
  var container = document.getElementById("cb-network");
  var EDGE_COLOURS = ["rgba(120,120,120,0.3)", "#e6550d", "#6a51a3"];
  var MISSING = "#bdbdbd";
  var colourIndex = data.colorBy || 0;
  var hidden = {};

  function tooltip(lines) {
    var box = document.createElement("div");
    for (var i = 0; i < lines.length; i++) {
      var line = document.createElement("div");
      if (i === 0) { line.className = "cb-tip-head"; }
      line.textContent = lines[i];
      box.appendChild(line);
    }
    return box;
  }

  function category(n) {
    var attribute = data.attributes[colourIndex];
    return attribute ? attribute.categories[n.g[colourIndex]] : null;
  }

  function colours(n) {
    var cat = category(n);
    var fill = cat ? cat.color : MISSING;
    var border = n.ring ? "#111111" : fill;
    return { background: fill, border: border,
             highlight: { background: fill, border: "#000000" },
             hover: { background: fill, border: "#000000" } };
  }

  function visNode(n) {
    return { id: n.id, label: n.label, x: n.x, y: n.y, size: n.size, title: tooltip(n.info),
             shape: n.shape || "dot", color: colours(n), borderWidth: n.ring ? 4 : 1,
             font: n.ring ? { size: 18, bold: true } : undefined };
  }

  function visEdge(e, i) {
    var edge = { id: i, from: e.from, to: e.to, width: e.width,
                 color: { color: EDGE_COLOURS[e.hl || 0], highlight: "#222222", hover: "#222222" } };
    if (e.info) { edge.title = tooltip(e.info); }
    return edge;
  }

  var big = data.nodes.length > 800 || data.edges.length > 4000;
  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var options = {
    physics: false,                       // positions are computed on the server
    layout: { improvedLayout: false },    // and vis's own clustering layout would hang on big graphs
    nodes: { font: { size: 14, face: "system-ui, sans-serif", strokeWidth: 3, strokeColor: "#ffffff" } },
    edges: { smooth: false },
    interaction: { hover: true, tooltipDelay: 120, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   multiselect: true }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.carebridgeNetwork = network;
  window.carebridgeData = data;
  network.once("afterDrawing", function () { window.carebridgeReady = true; });

  var byId = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; });

  function applyFilter() {
    var updates = [];
    data.nodes.forEach(function (n) {
      var hide = !!hidden[n.g[colourIndex]];
      if (hide !== !!n._hidden) { n._hidden = hide; updates.push({ id: n.id, hidden: hide }); }
    });
    if (updates.length) { nodes.update(updates); }
    var edgeUpdates = [];
    data.edges.forEach(function (e, i) {
      var hide = !!(byId[e.from]._hidden || byId[e.to]._hidden);
      if (hide !== !!e._hidden) { e._hidden = hide; edgeUpdates.push({ id: i, hidden: hide }); }
    });
    if (edgeUpdates.length) { edges.update(edgeUpdates); }
  }

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined) { node.textContent = text; }
    if (className) { node.className = className; }
    return node;
  }

  function buildLegend() {
    var list = document.getElementById("cb-legend");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var attribute = data.attributes[colourIndex];
    document.getElementById("cb-legend-title").textContent = attribute ? attribute.label : "Legend";
    if (!attribute) { return; }
    var counts = {};
    data.nodes.forEach(function (n) { counts[n.g[colourIndex]] = (counts[n.g[colourIndex]] || 0) + (n.weight || 1); });
    attribute.categories.forEach(function (cat, index) {
      if (!counts[index]) { return; }
      var item = el("li");
      var label = el("label");
      var box = el("input");
      box.type = "checkbox";
      box.checked = !hidden[index];
      box.setAttribute("data-group", String(index));
      box.addEventListener("change", function () { hidden[index] = !box.checked; applyFilter(); });
      var swatch = el("span", undefined, "cb-swatch");
      swatch.style.background = cat.color;
      label.appendChild(box);
      label.appendChild(swatch);
      label.appendChild(el("span", cat.name));
      label.appendChild(el("span", String(counts[index]), "cb-count"));
      item.appendChild(label);
      list.appendChild(item);
    });
  }

  function setAll(visible) {
    var attribute = data.attributes[colourIndex];
    if (!attribute) { return; }
    attribute.categories.forEach(function (cat, index) { hidden[index] = !visible; });
    buildLegend();
    applyFilter();
  }

  function recolour(index) {
    colourIndex = index;
    hidden = {};
    applyFilter();
    nodes.update(data.nodes.map(function (n) { return { id: n.id, color: colours(n) }; }));
    buildLegend();
  }

  var select = document.getElementById("cb-colour-by");
  data.attributes.forEach(function (attribute, index) {
    var option = el("option", attribute.label);
    option.value = String(index);
    if (index === colourIndex) { option.selected = true; }
    select.appendChild(option);
  });
  if (data.attributes.length < 2) { select.parentNode.style.display = "none"; }
  select.addEventListener("change", function () { recolour(parseInt(select.value, 10)); });

  var extra = document.getElementById("cb-legend-extra");
  (data.legendExtra || []).forEach(function (line) { extra.appendChild(el("p", line, "cb-note")); });

  var names = document.getElementById("cb-names");
  data.nodes.forEach(function (n) {
    var option = document.createElement("option");
    option.value = n.label;
    names.appendChild(option);
  });

  function search(query) {
    var status = document.getElementById("cb-search-status");
    var q = String(query || "").trim().toLowerCase();
    if (!q) { status.textContent = ""; return []; }
    var exact = [], partial = [];
    data.nodes.forEach(function (n) {
      var label = String(n.label || "").toLowerCase();
      var key = String(n.key).toLowerCase();
      if (label === q || key === q) { exact.push(n); }
      else if (label.indexOf(q) !== -1) { partial.push(n); }
    });
    var found = exact.length ? exact : partial;
    if (!found.length) { status.textContent = "No match"; network.unselectAll(); return []; }
    var reveal = false;
    found.forEach(function (n) { if (hidden[n.g[colourIndex]]) { hidden[n.g[colourIndex]] = false; reveal = true; } });
    if (reveal) { buildLegend(); applyFilter(); }
    network.selectNodes(found.map(function (n) { return n.id; }));
    network.focus(found[0].id, { scale: 1.0, animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    status.textContent = found.length === 1 ? "Found: " + found[0].label
      : found.length + " matches, showing " + found[0].label;
    return found.map(function (n) { return n.key; });
  }
  window.carebridgeSearch = search;

  document.getElementById("cb-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("cb-search").value);
  });
  document.getElementById("cb-fit").addEventListener("click", function () { network.fit(); });
  document.getElementById("cb-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("cb-none").addEventListener("click", function () { setAll(false); });
  buildLegend();
})();
