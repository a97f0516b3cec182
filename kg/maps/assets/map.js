/* Carebridge map page. Every piece of text from the data goes through textContent, an
   attribute set from script, or the canvas (drawn as text); never parsed as markup: names are
   data. Labels are drawn by this script, not vis-network, so they can be placed without
   overlapping: the few that matter first, the rest only once the reader zooms in. */
(function () {
  "use strict";
  var data = JSON.parse(document.getElementById("carebridge-data").textContent);
  var container = document.getElementById("cb-network");
  // Plain ties faint, a broker's ties dark, direct ties across purple.
  var EDGE_COLOURS = ["rgba(120,120,120,0.22)", "rgba(30,30,30,0.38)", "rgba(106,81,163,0.75)"];
  var MISSING = "#bdbdbd";
  var LABEL_PX = 13;          // on-screen size of a label, whatever the zoom
  var ZOOM_FOR_ALL = 1.8;     // zoomed this far past "fit", everyone may get a label
  var PANEL_TIES = 5;
  var PANEL_MEMBERS = 40;
  var colourIndex = data.colorBy || 0;
  var hidden = {};
  var online = location.protocol === "http:" || location.protocol === "https:";

  var byId = {};
  var adjacent = {};
  data.nodes.forEach(function (n) { byId[n.id] = n; adjacent[n.id] = []; });
  data.edges.forEach(function (e, i) {
    adjacent[e.from].push([e.to, i]);
    adjacent[e.to].push([e.from, i]);
  });
  var byRank = data.nodes.slice().sort(function (a, b) { return (a.r || 0) - (b.r || 0); });
  var topCount = data.labelTop || 12;
  var state = { hover: null, selected: {}, fitScale: 1 };

  function el(tag, text, className) {
    var node = document.createElement(tag);
    if (text !== undefined && text !== null) { node.textContent = String(text); }
    if (className) { node.className = className; }
    return node;
  }

  function tooltip(lines, hint) {
    var box = document.createElement("div");
    for (var i = 0; i < lines.length; i++) {
      box.appendChild(el("div", lines[i], i === 0 ? "cb-tip-head" : undefined));
    }
    if (hint) { box.appendChild(el("div", hint, "cb-muted")); }
    return box;
  }

  function category(n, index) {
    var attribute = data.attributes[index === undefined ? colourIndex : index];
    return attribute ? attribute.categories[n.g[index === undefined ? colourIndex : index]] : null;
  }

  function colours(n) {
    var cat = category(n);
    var fill = cat ? cat.color : MISSING;
    var border = n.ring ? "#111111" : fill;
    return { background: fill, border: border,
             highlight: { background: fill, border: "#000000" },
             hover: { background: fill, border: "#000000" } };
  }

  var clickHint = data.kind === "groups" ? "Click for its people" : "Click for details";

  function visNode(n) {
    // No vis label: this script draws them (see drawLabels).
    return { id: n.id, x: n.x, y: n.y, size: n.size, title: tooltip(n.info, clickHint),
             shape: "dot", color: colours(n), borderWidth: n.ring ? 4 : 1 };
  }

  function visEdge(e, i) {
    var edge = { id: i, from: e.from, to: e.to, width: e.width,
                 color: { color: EDGE_COLOURS[e.hl || 0], highlight: "rgba(0,0,0,0.5)",
                          hover: "rgba(0,0,0,0.6)" } };
    if (e.info) { edge.title = tooltip(e.info); }
    return edge;
  }

  // On a phone held upright a wide drawing (the bridges map's three columns) would float in a
  // tall empty box: make the box as wide as it is tall, give or take.
  if (data.nodes.length > 1 && container.clientWidth < 700) {
    var xs = data.nodes.map(function (n) { return n.x; });
    var ys = data.nodes.map(function (n) { return n.y; });
    var aspect = (Math.max.apply(null, xs) - Math.min.apply(null, xs) + 1) /
                 (Math.max.apply(null, ys) - Math.min.apply(null, ys) + 1);
    if (aspect > 1.15) {
      container.style.height = Math.round(Math.max(300, Math.min(window.innerHeight * 0.7,
        container.clientWidth / aspect * 1.3))) + "px";
    }
  }

  var big = data.nodes.length > 800 || data.edges.length > 4000;
  var nodes = new vis.DataSet(data.nodes.map(visNode));
  var edges = new vis.DataSet(data.edges.map(visEdge));
  var options = {
    physics: false,                       // positions are computed on the server
    layout: { improvedLayout: false },    // and vis's own clustering layout would hang on big graphs
    edges: { smooth: false, selectionWidth: 0 },  // a forum's 40 members must not blacken it
    interaction: { hover: true, tooltipDelay: 150, hideEdgesOnDrag: big, hideEdgesOnZoom: big,
                   multiselect: true }
  };
  var network = new vis.Network(container, { nodes: nodes, edges: edges }, options);
  window.carebridgeNetwork = network;
  window.carebridgeData = data;
  window.carebridgeLabels = [];

  /* ---- labels ---------------------------------------------------------------------------- */

  function labelCandidates(scale) {
    var list = [];
    var seen = {};
    function push(n, strong) {
      if (!n || seen[n.id] || n._hidden) { return; }
      seen[n.id] = true;
      list.push([n, strong]);
    }
    // The person pointed at or found first; then the ringed (the bridges map's top brokers,
    // the ego map's person) before a crowd of selected people (a forum's members) can hide
    // them; then the pointed-at person's neighbours; then the top by the map's measure.
    var selected = Object.keys(state.selected);
    if (state.hover !== null) { push(byId[state.hover], true); }
    if (selected.length <= 3) { selected.forEach(function (id) { push(byId[id], true); }); }
    data.nodes.forEach(function (n) { if (n.ring) { push(n, true); } });
    selected.forEach(function (id) { push(byId[id], true); });
    if (state.hover !== null) {
      adjacent[state.hover].forEach(function (pair) { push(byId[pair[0]], false); });
    }
    for (var i = 0; i < byRank.length && i < topCount; i++) { push(byRank[i], false); }
    if (scale >= state.fitScale * ZOOM_FOR_ALL) {
      byRank.forEach(function (n) { push(n, false); });
    }
    return list;
  }

  function overlaps(a, list) {
    for (var i = 0; i < list.length; i++) {
      var b = list[i];
      if (a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h) { return true; }
    }
    return false;
  }

  function drawLabels(ctx) {
    var scale = network.getScale();
    var ratio = (network.canvas && network.canvas.pixelRatio) || window.devicePixelRatio || 1;
    var width = container.clientWidth;
    var height = container.clientHeight;
    var placed = [];
    var positions = network.getPositions();
    // Circles a label must not cover: every group's; of people, the big ones (the people who
    // matter, easy to hide under a name).
    var circles = [];
    data.nodes.forEach(function (n) {
      var rr = n.size * scale;
      if (n._hidden || !(data.kind === "groups" || rr >= 7 || n.ring)) { return; }
      var p = positions[n.id];
      if (!p) { return; }
      var d = network.canvasToDOM(p);
      circles.push({ x: d.x - rr, y: d.y - rr, w: 2 * rr, h: 2 * rr, id: n.id });
    });
    function coversCircle(box, id) {
      for (var i = 0; i < circles.length; i++) {
        var c = circles[i];
        if (c.id !== id && box.x < c.x + c.w && c.x < box.x + box.w &&
            box.y < c.y + c.h && c.y < box.y + box.h) { return true; }
      }
      return false;
    }
    ctx.save();
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.textBaseline = "top";
    ctx.lineJoin = "round";
    labelCandidates(scale).forEach(function (pair) {
      var n = pair[0];
      var strong = pair[1];
      var pos = positions[n.id];
      if (!pos) { return; }
      var dom = network.canvasToDOM(pos);
      if (dom.x < -50 || dom.y < -50 || dom.x > width + 50 || dom.y > height + 50) { return; }
      ctx.font = (strong ? "bold " : "") + LABEL_PX + "px system-ui, -apple-system, sans-serif";
      var text = String(n.label);
      if (!strong && width < 700 && text.length > 30) {
        text = text.slice(0, 28).replace(/\s+$/, "") + "\u2026";  // the panel has it in full
      }
      var w = ctx.measureText(text).width + 4;
      var h = LABEL_PX + 4;
      var r = n.size * scale + (n.ring ? 4 : 1);
      var spots = [
        { x: dom.x - w / 2, y: dom.y + r + 1 },
        { x: dom.x - w / 2, y: dom.y - r - 1 - h },
        { x: dom.x + r + 3, y: dom.y - h / 2 },
        { x: dom.x - r - 3 - w, y: dom.y - h / 2 }
      ];
      // Strong labels (the person found, hovered or clicked) and the top three may cover a
      // circle if they must; no label ever covers another.
      var tries = (strong || n.r < 3) ? spots.concat(spots) : spots;
      for (var i = 0; i < tries.length; i++) {
        var box = { x: tries[i].x, y: tries[i].y, w: w, h: h };
        if (box.x < 0 || box.y < 0 || box.x + w > width || box.y + h > height) { continue; }
        if (overlaps(box, placed)) { continue; }
        if (i < spots.length && coversCircle(box, n.id)) { continue; }
        ctx.lineWidth = 4;
        ctx.strokeStyle = "rgba(255,255,255,0.92)";
        ctx.strokeText(text, box.x + 2, box.y + 2);
        ctx.fillStyle = "#111111";
        ctx.fillText(text, box.x + 2, box.y + 2);
        box.key = n.key;
        box.text = text;
        box.px = LABEL_PX;
        box.bold = strong;
        placed.push(box);
        return;
      }
    });
    ctx.restore();
    window.carebridgeLabels = placed;
  }

  network.on("afterDrawing", drawLabels);

  /* ---- tooltips -------------------------------------------------------------------------- */

  function hideTips() {
    // vis-network only hides its tooltip when the pointer moves over the canvas: leaving the
    // drawing (to the legend, the panel, off the page) would otherwise leave it up.
    var handler = network.interactionHandler;
    if (handler) {
      if (handler.popupTimer !== undefined) { clearTimeout(handler.popupTimer); handler.popupTimer = undefined; }
      handler.popupObj = undefined;
      if (handler.popup) { handler.popup.hide(); }
    }
    var tips = document.querySelectorAll(".vis-tooltip");
    for (var i = 0; i < tips.length; i++) { tips[i].style.visibility = "hidden"; }
  }
  container.addEventListener("mouseleave", function () {
    hideTips();
    // vis-network sends no blurNode when the pointer jumps off the drawing.
    if (state.hover !== null) { state.hover = null; network.redraw(); }
  });
  network.on("dragStart", hideTips);
  network.on("zoom", hideTips);
  network.on("hoverNode", function (params) { state.hover = params.node; network.redraw(); });
  network.on("blurNode", function () { state.hover = null; network.redraw(); });

  /* ---- legend and filter ----------------------------------------------------------------- */

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

  function buildLegend() {
    var list = document.getElementById("cb-legend");
    while (list.firstChild) { list.removeChild(list.firstChild); }
    var attribute = data.attributes[colourIndex];
    document.getElementById("cb-legend-title").textContent = attribute ? attribute.label : "Legend";
    document.getElementById("cb-coloured-by").textContent = attribute
      ? (document.querySelector(".cb-subtitle span:not(#cb-coloured-by)") ? "; " : "") + "coloured by " + attribute.label.toLowerCase()
      : "";
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
      label.appendChild(el("span", counts[index].toLocaleString("en-GB"), "cb-count"));
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

  /* ---- side panel ------------------------------------------------------------------------ */

  var panel = document.getElementById("cb-panel");
  var panelTitle = document.getElementById("cb-panel-title");
  var panelBody = document.getElementById("cb-panel-body");

  function clear(node) { while (node.firstChild) { node.removeChild(node.firstChild); } }

  function linkTo(template, values) {
    // Only links into this server (a path), built from our own templates.
    if (!online || !template || template.charAt(0) !== "/") { return null; }
    var href = template;
    Object.keys(values).forEach(function (k) {
      href = href.split("{" + k + "}").join(encodeURIComponent(values[k]));
    });
    return href;
  }

  function linkRow(items) {
    var row = el("div", undefined, "cb-links");
    items.forEach(function (item) {
      if (!item[1]) { return; }
      var a = el("a", item[0]);
      a.setAttribute("href", item[1]);
      row.appendChild(a);
    });
    return row.childNodes.length ? row : null;
  }

  function button(text, onClick) {
    var b = el("button", text, "cb-link-button");
    b.type = "button";
    b.addEventListener("click", onClick);
    return b;
  }

  function section(title) {
    panelBody.appendChild(el("h3", title));
  }

  function ordinal(k) {
    var s = (k % 100 >= 11 && k % 100 <= 13) ? "th" : ({ 1: "st", 2: "nd", 3: "rd" }[k % 10] || "th");
    return k + s;
  }

  function showPanel(title) {
    panelTitle.textContent = title;
    clear(panelBody);
    panel.hidden = false;
    panel.scrollTop = 0;
  }

  function closePanel() {
    panel.hidden = true;
    state.selected = {};
    network.redraw();
  }
  document.getElementById("cb-panel-close").addEventListener("click", function () {
    network.unselectAll();
    closePanel();
  });

  function select_(ids) {
    state.selected = {};
    ids.forEach(function (id) { state.selected[id] = true; });
    network.selectNodes(ids);
    network.redraw();
  }

  function reveal(n) {
    if (hidden[n.g[colourIndex]]) {
      hidden[n.g[colourIndex]] = false;
      buildLegend();
      applyFilter();
    }
  }

  function focusNode(n, open) {
    reveal(n);
    select_([n.id]);
    network.focus(n.id, { scale: Math.max(network.getScale(), Math.min(1.0, state.fitScale * 3)),
                          animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    if (open) { openNode(n); }
  }

  function personPanel(n) {
    showPanel(n.label);
    var p = n.p || {};
    if (p.roles && p.roles.length) { panelBody.appendChild(el("p", p.roles.join("; "), "cb-sub")); }
    var facts = el("dl");
    function fact(name, value) {
      facts.appendChild(el("dt", name));
      facts.appendChild(el("dd", value));
    }
    data.attributes.forEach(function (attribute, index) {
      var cat = category(n, index);
      if (cat && cat.code !== null) { fact(attribute.label, cat.name); }
    });
    if (p.team) { fact("Team", p.team); }
    panelBody.appendChild(facts);

    section("Measures");
    var measures = el("ul");
    if (data.measure && n.m !== undefined) {
      var shown = n.ms !== undefined ? n.ms : Number(n.m).toPrecision(3);
      var item = el("li", data.measure.label + ": " + shown + ", " +
                    (n.mr === 1 ? "the" : "the " + ordinal(n.mr)) + " highest of " + countMeasured());
      if (data.measure.words) { item.appendChild(el("div", data.measure.words, "cb-muted")); }
      measures.appendChild(item);
    }
    measures.appendChild(el("li", "Connections on this map: " + adjacent[n.id].length));
    panelBody.appendChild(measures);

    section("Forums they attend");
    if (p.forums && p.forums.length) {
      var forumList = el("ul");
      p.forums.forEach(function (fi) {
        var f = data.forums[fi];
        var li = el("li");
        li.appendChild(button(f.name, function () { forumPanel(fi, true); }));
        if (f.kind) { li.appendChild(el("span", " (" + f.kind + ")", "cb-muted")); }
        forumList.appendChild(li);
      });
      panelBody.appendChild(forumList);
    } else {
      panelBody.appendChild(el("p", "None recorded in this period.", "cb-muted"));
    }

    section("Strongest ties on this map");
    var ties = adjacent[n.id].slice().sort(function (a, b) {
      return (data.edges[b[1]].w || 0) - (data.edges[a[1]].w || 0);
    }).slice(0, PANEL_TIES);
    if (ties.length) {
      var tieList = el("ol");
      ties.forEach(function (pair) {
        var other = byId[pair[0]];
        var e = data.edges[pair[1]];
        var li = el("li");
        li.appendChild(button(other.label, function () { focusNode(other, true); }));
        li.appendChild(el("span", " strength " + (e.w === undefined ? "?" : e.w), "cb-muted"));
        if (e.info && e.info.length > 2) { li.appendChild(el("div", e.info.slice(2).join("; "), "cb-muted")); }
        tieList.appendChild(li);
      });
      panelBody.appendChild(tieList);
    } else {
      panelBody.appendChild(el("p", "No ties on this map.", "cb-muted"));
    }

    var links = data.links || {};
    var community = null;
    data.attributes.forEach(function (attribute, index) {
      if (attribute.key === "community") { community = category(n, index); }
    });
    var row = linkRow([
      ["Ego map", linkTo(links.ego, { key: n.key })],
      ["Record (JSON)", linkTo(links.person, { key: n.key })],
      [community && community.code !== null ? community.name + " map" : "",
       community && community.code !== null ? linkTo(links.group, { drill: community.code }) : null]
    ]);
    if (row) { panelBody.appendChild(row); }
  }

  var measuredCount = null;
  function countMeasured() {
    if (measuredCount === null) {
      measuredCount = data.nodes.filter(function (n) { return n.m !== undefined; }).length;
    }
    return measuredCount.toLocaleString("en-GB");
  }

  function membersOf(fi) {
    return data.nodes.filter(function (n) { return n.p && n.p.forums && n.p.forums.indexOf(fi) !== -1; });
  }

  function forumPanel(fi, highlight) {
    var f = data.forums[fi];
    var members = membersOf(fi);
    showPanel(f.name);
    if (f.kind) { panelBody.appendChild(el("p", f.kind, "cb-sub")); }
    panelBody.appendChild(el("p", members.length + " of the people on this map attend."));
    var show = button("Show them on the map", function () {
      members.forEach(reveal);
      select_(members.map(function (n) { return n.id; }));
      if (members.length) { network.fit({ nodes: members.map(function (n) { return n.id; }),
                                          animation: { duration: 400 } }); }
    });
    panelBody.appendChild(show);
    var list = el("ul");
    members.slice().sort(function (a, b) { return a.r - b.r; }).slice(0, PANEL_MEMBERS).forEach(function (n) {
      var li = el("li");
      li.appendChild(button(n.label, function () { focusNode(n, true); }));
      var cat = category(n);
      if (cat) { li.appendChild(el("span", " " + cat.name, "cb-muted")); }
      list.appendChild(li);
    });
    panelBody.appendChild(list);
    if (members.length > PANEL_MEMBERS) {
      panelBody.appendChild(el("p", "and " + (members.length - PANEL_MEMBERS) + " more", "cb-muted"));
    }
    if (highlight) { select_(members.map(function (n) { return n.id; })); }
  }

  function groupPanel(n) {
    showPanel(n.label);
    var list = el("ul");
    n.info.slice(1).forEach(function (line) { list.appendChild(el("li", line)); });
    panelBody.appendChild(list);
    var people = (n.p && n.p.people) || [];
    if (people.length) {
      section("Best-connected people");
      var names = el("ol");
      var links = data.links || {};
      people.forEach(function (pair) {
        var li = el("li");
        var href = linkTo(links.ego, { key: pair[0] });
        if (href) {
          var a = el("a", pair[1]);
          a.setAttribute("href", href);
          li.appendChild(a);
        } else {
          li.textContent = pair[1];
        }
        names.appendChild(li);
      });
      panelBody.appendChild(names);
    }
    if (n.drill !== undefined) {
      var row = linkRow([["Open this " + (data.unit || "group") + "'s map",
                          linkTo((data.links || {}).group, { drill: n.drill })]]);
      if (row) { panelBody.appendChild(row); }
    }
  }

  function openNode(n) {
    if (data.kind === "groups") { groupPanel(n); } else { personPanel(n); }
  }
  window.carebridgeOpen = function (key) {
    var n = data.nodes.filter(function (m) { return m.key === String(key); })[0];
    if (n) { focusNode(n, true); }
    return !!n;
  };
  window.carebridgeForum = function (id) {
    for (var i = 0; i < data.forums.length; i++) {
      if (data.forums[i].id === String(id)) { forumPanel(i, true); return true; }
    }
    return false;
  };

  network.on("click", function (params) {
    hideTips();
    if (params.nodes.length) {
      var n = byId[params.nodes[params.nodes.length - 1]];
      select_(params.nodes);
      openNode(n);
    } else if (!params.edges.length) {
      closePanel();
    }
  });

  /* ---- forums list (bridges) ------------------------------------------------------------- */

  if (data.forumList && data.forumList.items && data.forumList.items.length) {
    var box = document.getElementById("cb-forum-list");
    document.getElementById("cb-forum-list-title").textContent = data.forumList.title;
    var items = document.getElementById("cb-forum-items");
    data.forumList.items.forEach(function (item) {
      var li = el("li");
      li.appendChild(button(data.forums[item.f].name, function () { forumPanel(item.f, true); }));
      li.appendChild(el("div", item.text, "cb-muted"));
      items.appendChild(li);
    });
    box.hidden = false;
  }

  /* ---- search ---------------------------------------------------------------------------- */

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
    if (!found.length) { status.textContent = "No match"; network.unselectAll(); closePanel(); return []; }
    found.forEach(reveal);
    select_(found.map(function (n) { return n.id; }));
    network.focus(found[0].id, { scale: Math.max(1.0, state.fitScale),
                                 animation: { duration: 400, easingFunction: "easeInOutQuad" } });
    openNode(found[0]);
    status.textContent = found.length === 1 ? "Found: " + found[0].label
      : found.length + " matches, showing " + found[0].label;
    return found.map(function (n) { return n.key; });
  }
  window.carebridgeSearch = search;

  document.getElementById("cb-search-form").addEventListener("submit", function (event) {
    event.preventDefault();
    search(document.getElementById("cb-search").value);
  });

  /* ---- start ----------------------------------------------------------------------------- */

  function fitView() {
    network.fit({ animation: false });
    if (data.centre !== undefined && data.centre !== null && byId[data.centre]) {
      // The ego map's person is at the origin of the layout: keep them in the middle.
      var c = byId[data.centre];
      network.moveTo({ position: { x: c.x, y: c.y }, scale: network.getScale() * 0.95 });
    }
    state.fitScale = network.getScale();
  }
  document.getElementById("cb-fit").addEventListener("click", fitView);
  document.getElementById("cb-all").addEventListener("click", function () { setAll(true); });
  document.getElementById("cb-none").addEventListener("click", function () { setAll(false); });
  var legendBox = document.getElementById("cb-legend-box");
  if (window.matchMedia && window.matchMedia("(max-width: 700px)").matches) {
    legendBox.open = false;  // on a phone the drawing comes first; the legend folds away
  }
  buildLegend();
  fitView();
  network.once("afterDrawing", function () { window.carebridgeReady = true; });
  network.redraw();
})();
