// Test-only: measures the HTML report's layout in the browser that renders it. The layout test
// (report_layout_chromium_test.cpp) injects this script into a copy of the report (its hash added to the
// copy's Content-Security-Policy) and reads the result back from the dumped DOM: one JSON object
// in <pre id="eksir-layout">, with "<", ">", "&" and no-break spaces written as \u escapes so
// that the DOM serializer leaves the text as it is.
(function () {
  'use strict';
  var SVG = 'http://www.w3.org/2000/svg';

  function rect(r) {
    return {x: Math.round(r.left * 10) / 10, y: Math.round(r.top * 10) / 10,
            w: Math.round(r.width * 10) / 10, h: Math.round(r.height * 10) / 10};
  }
  function pageRect(el) {
    var r = el.getBoundingClientRect();
    return {top: Math.round(r.top + window.scrollY), bottom: Math.round(r.bottom + window.scrollY),
            left: Math.round(r.left), right: Math.round(r.right)};
  }
  function short(s) {
    s = String(s || '').replace(/\s+/g, ' ').trim();
    return s.length > 90 ? s.slice(0, 90) + '...' : s;
  }
  // A readable path to an element: tag#id.class > ... (at most four levels).
  function where(el) {
    var parts = [];
    for (var e = el; e && e.nodeType === 1 && e !== document.body && parts.length < 4;
         e = e.parentElement) {
      var p = e.tagName.toLowerCase();
      if (e.id) p += '#' + e.id;
      var cls = e.getAttribute('class');
      if (cls) p += '.' + cls.trim().split(/\s+/).join('.');
      parts.unshift(p);
    }
    return parts.join(' > ');
  }
  function inSvg(el) {
    return el.namespaceURI === SVG;
  }
  function scrollsX(el) {
    var o = getComputedStyle(el).overflowX;
    return o === 'auto' || o === 'scroll';
  }

  // Elements whose content is wider than their box, unless the box is meant to scroll.
  function overflow() {
    var out = [], scrollers = [];
    var all = document.querySelectorAll('*');
    for (var i = 0; i < all.length; ++i) {
      var el = all[i];
      if (inSvg(el) || /^(HEAD|SCRIPT|STYLE|META|TITLE|LINK)$/.test(el.tagName)) continue;
      if (el.id === 'eksir-layout') continue;
      var cs = getComputedStyle(el);
      if (cs.display === 'inline' || cs.display === 'none') continue;
      var extra = el.scrollWidth - el.clientWidth;
      if (el === document.documentElement) extra = el.scrollWidth - window.innerWidth;
      if (extra <= 1) continue;
      if (el !== document.documentElement && scrollsX(el)) {
        scrollers.push({where: where(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth});
        continue;
      }
      out.push({where: where(el), scrollWidth: el.scrollWidth, clientWidth: el.clientWidth,
                overflowX: cs.overflowX, text: short(el.textContent)});
    }
    return {elements: out, scrollers: scrollers};
  }

  // Words (letter and digit runs) and timestamps that the layout broke across lines.
  function lineCount(node, start, end) {
    var range = document.createRange();
    range.setStart(node, start);
    range.setEnd(node, end);
    var rects = range.getClientRects(), tops = {};
    var n = 0;
    for (var i = 0; i < rects.length; ++i) {
      if (rects[i].width < 0.5) continue;
      var t = Math.round(rects[i].top);
      if (!tops[t] && !tops[t - 1] && !tops[t + 1]) ++n;
      tops[t] = true;
    }
    return n;
  }
  function brokenText() {
    var words = [], times = [], checked = 0;
    var walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT, null);
    var time = /\d{4}-\d\d-\d\dT\d\d:\d\d(?::\d\d(?:\.\d+)?)?Z?/g;
    var word = /[A-Za-z0-9]+/g;
    for (var node = walker.nextNode(); node; node = walker.nextNode()) {
      var parent = node.parentElement;
      if (!parent || inSvg(parent) || parent.closest('script,style,#eksir-layout,details:not([open])'))
        continue;
      var text = node.data, m;
      time.lastIndex = 0;
      while ((m = time.exec(text))) {
        ++checked;
        if (lineCount(node, m.index, m.index + m[0].length) > 1)
          times.push({text: m[0], where: where(parent)});
      }
      word.lastIndex = 0;
      while ((m = word.exec(text))) {
        // A run longer than this is an attacker's name no line could hold; it may break.
        if (m[0].length < 2 || m[0].length > 40) continue;
        ++checked;
        if (lineCount(node, m.index, m.index + m[0].length) > 1)
          words.push({text: m[0], where: where(parent)});
      }
    }
    // A time in a table cell is written in pieces (date, "T", time): the cell is one line.
    var cells = document.querySelectorAll('td.time');
    for (var i = 0; i < cells.length; ++i) {
      if (cells[i].closest('details:not([open])') || !cells[i].firstChild) continue;
      ++checked;
      var range = document.createRange();
      range.selectNodeContents(cells[i]);
      var rects = range.getClientRects(), tops = {}, n = 0;
      for (var k = 0; k < rects.length; ++k) {
        if (rects[k].width < 0.5) continue;
        var t = Math.round(rects[k].top);
        if (!tops[t] && !tops[t - 1] && !tops[t + 1]) ++n;
        tops[t] = true;
      }
      if (n > 1) times.push({text: cells[i].textContent, where: where(cells[i])});
    }
    return {words: words, times: times, checked: checked};
  }

  function intersects(a, b, slack) {
    return a.left < b.right - slack && b.left < a.right - slack && a.top < b.bottom - slack &&
           b.top < a.bottom - slack;
  }
  function textOf(el) {
    return short(el.textContent);
  }

  // Every text of every drawing: overlaps, text outside the drawing, effective font sizes; in the
  // entity graph, labels outside their box and labels cut short.
  function svgs() {
    var out = [];
    var list = document.querySelectorAll('svg');
    for (var i = 0; i < list.length; ++i) {
      var svg = list[i];
      var box = svg.getBoundingClientRect();
      var d = {cls: svg.getAttribute('class') || '', rect: rect(box), texts: 0, overlaps: [],
               outside: [], minFont: null, smallFonts: [], labelsOutsideBox: [], truncated: [],
               ticks: []};
      var texts = Array.prototype.filter.call(svg.querySelectorAll('text'), function (t) {
        return t.textContent.trim() !== '' && getComputedStyle(t).display !== 'none';
      });
      d.texts = texts.length;
      var rects = texts.map(function (t) { return t.getBoundingClientRect(); });
      for (var a = 0; a < texts.length; ++a) {
        for (var b = a + 1; b < texts.length; ++b)
          if (intersects(rects[a], rects[b], 0.5))
            d.overlaps.push({a: textOf(texts[a]), b: textOf(texts[b]), ra: rect(rects[a]),
                             rb: rect(rects[b])});
        var r = rects[a];
        if (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 ||
            r.bottom > box.bottom + 1)
          d.outside.push({text: textOf(texts[a]), r: rect(r)});
        var ctm = texts[a].getScreenCTM();
        var scale = ctm ? Math.sqrt(ctm.a * ctm.a + ctm.b * ctm.b) : 1;
        var px = parseFloat(getComputedStyle(texts[a]).fontSize) * scale;
        px = Math.round(px * 100) / 100;
        if (d.minFont === null || px < d.minFont) d.minFont = px;
        if (px < 10 - 0.05) d.smallFonts.push({text: textOf(texts[a]), px: px});
        if (/\u2026|\.\.\.$/.test(texts[a].textContent)) d.truncated.push(textOf(texts[a]));
        var cls = texts[a].getAttribute('class') || '';
        if (/\btick\b/.test(cls))
          d.ticks.push({text: texts[a].textContent, x: Math.round(r.left - box.left)});
      }
      var nodes = svg.querySelectorAll('g.node');
      for (var n = 0; n < nodes.length; ++n) {
        var shape = nodes[n].querySelector('rect');
        if (!shape) continue;
        var sr = shape.getBoundingClientRect();
        var inner = nodes[n].querySelectorAll('text');
        for (var k = 0; k < inner.length; ++k) {
          var tr = inner[k].getBoundingClientRect();
          if (tr.left < sr.left - 0.5 || tr.right > sr.right + 0.5 || tr.top < sr.top - 0.5 ||
              tr.bottom > sr.bottom + 0.5)
            d.labelsOutsideBox.push({text: textOf(inner[k]), text_rect: rect(tr), box: rect(sr)});
        }
      }
      out.push(d);
    }
    return out;
  }

  function firstOf(selector) {
    var el = document.querySelector(selector);
    return el ? pageRect(el) : null;
  }

  function details() {
    var all = document.querySelectorAll('details');
    var closed = 0, counted = 0, hidden = 0;
    for (var i = 0; i < all.length; ++i) {
      if (!all[i].open) ++closed;
      var body = all[i].querySelector(':scope > :not(summary)');
      if (body && !body.checkVisibility()) ++hidden;
      var s = all[i].querySelector('summary');
      if (s && /\d/.test(s.textContent)) ++counted;
    }
    return {count: all.length, closed: closed, with_count: counted, content_hidden: hidden};
  }

  function printRules() {
    var n = 0;
    for (var i = 0; i < document.styleSheets.length; ++i) {
      var rules;
      try { rules = document.styleSheets[i].cssRules; } catch (e) { continue; }
      for (var j = 0; j < rules.length; ++j)
        if (rules[j].media && /print/.test(rules[j].media.mediaText)) n += rules[j].cssRules.length;
    }
    return n;
  }

  // The entity graph's zoom bar, worked as a reader would: zoom out, fit to width, zoom in, back
  // to actual size; the drawing's width after each, and its scroll box's width. Run last: it
  // leaves the graph at its actual size again.
  function zoom() {
    var box = document.querySelector('.zoomable');
    if (!box) return null;
    var bar = box.querySelector('.zoom'), svg = box.querySelector('svg.graph');
    var scroller = box.querySelector('.scroll');
    function width() { return Math.round(svg.getBoundingClientRect().width); }
    function press(z) {
      var b = bar.querySelector('button[data-zoom="' + z + '"]');
      if (!b) return -1;
      b.click();
      return width();
    }
    var out = {shown: !bar.hidden && bar.getBoundingClientRect().height > 0,
               buttons: bar.querySelectorAll('button').length,
               natural: width(), container: scroller.clientWidth};
    out.out = press('out');
    out.fit = press('fit');
    out.fit_scrolls = scroller.scrollWidth > scroller.clientWidth + 1;
    out.fit_level = bar.querySelector('.zoom-level').textContent;
    out.in = press('in');
    out.reset = press('reset');
    out.reset_level = bar.querySelector('.zoom-level').textContent;
    return out;
  }

  function measure() {
    var result = {
      viewport: {width: window.innerWidth, height: window.innerHeight},
      page: {height: document.documentElement.scrollHeight,
             scroll_width: document.documentElement.scrollWidth},
      first_screen: {
        title: firstOf('h1'),
        severity: firstOf('.sev'),
        chart: firstOf('svg.chart'),
        metrics: firstOf('#key-metrics'),
        graph: firstOf('svg.graph'),
        nav: firstOf('nav')
      },
      overflow: overflow(),
      broken: brokenText(),
      svgs: svgs(),
      details: details(),
      print_rules: printRules()
    };
    result.zoom = zoom();
    var pre = document.createElement('pre');
    pre.id = 'eksir-layout';
    pre.hidden = true;
    pre.textContent = JSON.stringify(result).replace(/[<>&\u00a0]/g, function (c) {
      return '\\u' + ('000' + c.charCodeAt(0).toString(16)).slice(-4);
    });
    document.body.appendChild(pre);
  }

  if (document.readyState === 'complete') measure();
  else window.addEventListener('load', measure);
})();
