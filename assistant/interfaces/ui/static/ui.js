// Clause-link handling (see layout.py). Plain JavaScript, no external resources.
(function () {
  document.documentElement.lang = "zh-CN";
  function clauseOf(a) {
    try { return new URL(a.getAttribute("href"), location.href).searchParams.get("clause"); }
    catch (e) { return null; }
  }
  function openInBrowser(cid) {
    var box = document.querySelector("#clause-jump textarea, #clause-jump input");
    var btn = document.querySelector("#clause-jump-btn");
    if (!box || !btn) { location.search = "?clause=" + encodeURIComponent(cid); return; }
    box.value = cid;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    setTimeout(function () { btn.click(); }, 30);
    try { history.replaceState(null, "", "?clause=" + encodeURIComponent(cid)); } catch (e) {}
  }
  function openCard(a, cid) {
    var scope = a.closest(".message") || a.closest(".message-content");
    if (!scope) return false;
    var cards = scope.querySelectorAll("details.src-card");
    for (var i = 0; i < cards.length; i++) {
      var label = cards[i].querySelector(".cid");
      if (label && label.textContent === "\u3010" + cid + "\u3011") {
        var card = cards[i];
        card.open = true;
        card.scrollIntoView({ block: "nearest", behavior: "smooth" });
        card.classList.add("flash");
        setTimeout(function () { card.classList.remove("flash"); }, 1400);
        return true;
      }
    }
    return false;
  }
  document.addEventListener("click", function (e) {
    var a = e.target && e.target.closest ? e.target.closest("a[href*='clause=']") : null;
    if (!a || e.ctrlKey || e.metaKey || e.shiftKey) return;
    var cid = clauseOf(a);
    if (!cid) return;
    e.preventDefault();
    e.stopPropagation();
    if (!a.classList.contains("to-browser") && openCard(a, cid)) return;
    openInBrowser(cid);
  }, true);
})();

// Bring an element into view when its top is off screen (a clause opened on a phone renders
// below the search results). Called by the Blocks' js= hooks after Gradio has updated the DOM.
window.assistantReveal = function (selector) {
  // Checked a few times: the tab switch and Gradio's re-render can move it after the first look.
  [60, 300, 900].forEach(function (delay) {
    setTimeout(function () {
      var el = document.querySelector(selector);
      if (!el) return;
      var top = el.getBoundingClientRect().top;
      if (top < 0 || top > window.innerHeight - 80) {
        el.scrollIntoView({ block: "start", behavior: "instant" });
      }
    }, delay);
  });
};

// A tapped "我理解的情况" chip starts a correction in the chat input (the user finishes the
// sentence and sends it; the session then keeps the corrected fact).
document.addEventListener("click", function (e) {
  var chip = e.target && e.target.closest ? e.target.closest("a.u-chip[href*='correct=']") : null;
  if (!chip) return;
  var box = document.querySelector("#chat-input textarea");
  if (!box) return;
  e.preventDefault();
  e.stopPropagation();
  try { box.value = new URL(chip.getAttribute("href"), location.href).searchParams.get("correct") || ""; }
  catch (err) { return; }
  box.dispatchEvent(new Event("input", { bubbles: true }));
  box.focus();
  box.setSelectionRange(box.value.length, box.value.length);
}, true);

// The answer in view (issue #27). Gradio's chatbot autoscroll (switched off in layout.py) follows
// the bottom of the conversation, which after a reply is the last source card: the answer's first
// sentence ended up hundreds of pixels above the box. Instead, when a question is added, the chat
// scrolls so that the question sits at the top of the box (or, if the question is long, so that
// the answer starts near the top) and keeps it there while the answer streams in. Any scroll the
// user makes releases it; so does the finished answer, shortly after it has rendered.
(function () {
  var pin = null;       // the user message row to keep at the top of the box
  var release = null;   // the timer that lets go after the final answer
  var seen = -1;        // user messages seen so far (-1: none observed yet)
  var queued = false;
  function wrapOf() { return document.querySelector("#chatbot .bubble-wrap"); }
  function place(wrap) {
    if (!pin || !pin.isConnected) { pin = null; return; }
    var rows = wrap.querySelectorAll(".message-row");
    var bot = null;
    for (var i = 0; i < rows.length; i++) { if (rows[i] === pin && rows[i + 1]) { bot = rows[i + 1]; } }
    var base = wrap.getBoundingClientRect().top - wrap.scrollTop;
    var target = pin.getBoundingClientRect().top - base - 8;
    if (bot) {
      // A long question would push the answer down: keep at most a third of the box for it.
      var botTop = bot.getBoundingClientRect().top - base;
      target = Math.max(target, botTop - wrap.clientHeight / 3);
    }
    wrap.scrollTop = Math.max(0, Math.min(target, wrap.scrollHeight - wrap.clientHeight));
  }
  function check() {
    queued = false;
    var wrap = wrapOf();
    if (!wrap) return;
    if (!wrap.dataset.pinWatch) {
      wrap.dataset.pinWatch = "1";
      ["wheel", "touchmove", "keydown", "mousedown"].forEach(function (type) {
        wrap.addEventListener(type, function () { pin = null; }, { passive: true });
      });
    }
    var users = wrap.querySelectorAll(".message-row.user-row");
    if (users.length !== seen) {
      seen = users.length;
      pin = users.length ? users[users.length - 1] : null;
      if (release) { clearTimeout(release); release = null; }
    }
    if (!pin) return;
    place(wrap);
    var bots = wrap.querySelectorAll("[data-testid='bot']");
    var last = bots.length ? bots[bots.length - 1] : null;
    var done = last && !last.querySelector(".thinking, .cursor");
    if (done && !release) {
      // Late layout (fonts, the verdict's ladder) can still move things for a moment.
      release = setTimeout(function () { var w = wrapOf(); if (w) place(w); pin = null; release = null; }, 1200);
    }
  }
  new MutationObserver(function () {
    if (!queued) { queued = true; requestAnimationFrame(check); }
  }).observe(document.documentElement, { childList: true, subtree: true, characterData: true });
})();

// Editable tables keep the first keystroke (issue #27). In Gradio's table, typing on a selected
// cell opens the cell's editor, but the editor is focused one animation frame later, so the key
// that opened it went nowhere: "62" was stored as "2". Here that key's own insertion is cancelled
// (Gradio still sees the keydown and opens the editor) and, once the editor exists (a mutation,
// before the next key is handled), the key becomes the editor's content, as typing on a selected
// cell does in a spreadsheet; the following keys then land after it.
(function () {
  var pending = null;  // {grid, key}
  document.addEventListener("keydown", function (e) {
    var t = e.target;
    if (!t || !t.closest || e.ctrlKey || e.metaKey || e.altKey || e.isComposing || e.key.length !== 1) return;
    if (e.key === " " || /^(TEXTAREA|INPUT|BUTTON)$/.test(t.tagName)) return;
    var grid = t.closest("[role=grid]");
    if (!grid || grid.closest(".ghost")) return;
    e.preventDefault();
    pending = { grid: grid, key: e.key };
    setTimeout(function () { pending = null; }, 500);  // no editor came: a static or bool cell
  }, true);
  new MutationObserver(function () {
    if (!pending) return;
    var box = pending.grid.querySelector("textarea:not([readonly])");
    if (!box) return;
    var key = pending.key;
    pending = null;
    box.value = key;
    box.dispatchEvent(new Event("input", { bubbles: true }));
    box.focus();
    box.setSelectionRange(key.length, key.length);
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// Gradio's own controls name themselves in English whatever the page's language ("Copy message",
// "Select example 1:", "Scroll down"), and Gradio offers no setting for them: screen readers
// would announce English in a Chinese page. They are renamed here as they appear.
(function () {
  var exact = {
    "Copy message": "复制消息", "Copied message": "已复制", "Scroll down": "滚动到最新消息",
    "More tabs": "更多标签页", "chatbot conversation": "对话记录", "Copy table data": "复制表格数据",
    "Fullscreen": "全屏", "Exit fullscreen mode": "退出全屏", "Open cell menu": "单元格菜单",
    "Table actions": "表格操作", "File upload": "上传文件", "Clear": "清除", "Like": "赞", "Dislike": "踩",
    "Edit cell": "编辑单元格", "Close": "关闭", "Cell is read-only": "只读单元格", "Select column": "选择列", "Select row": "选择行"
  };
  var prefixes = [
    [/^Select example (\d+):\s*/, function (m) { return "示例" + m[1] + "："; }],
    [/^user's message:\s*/, function () { return "您的问题："; }],
    [/^bot's message:[\s\S]*/, null]  // the answer's HTML source: the label is just 助手的回答
  ];
  function rename(el, attr) {
    var value = el.getAttribute(attr);
    if (!value) return;
    if (exact[value]) { el.setAttribute(attr, exact[value]); return; }
    for (var i = 0; i < prefixes.length; i++) {
      var m = value.match(prefixes[i][0]);
      if (m) {
        el.setAttribute(attr, prefixes[i][1] ? prefixes[i][1](m) + value.slice(m[0].length) : "助手的回答");
        return;
      }
    }
  }
  var queued = false;
  function sweep() {
    queued = false;
    document.querySelectorAll("[aria-label], [title]").forEach(function (el) {
      rename(el, "aria-label");
      rename(el, "title");
    });
    // A toast's header is a button holding the close button: a control inside a control, which
    // screen readers cannot reach (axe: nested-interactive). The close button stays; the header
    // (it only folds grouped toasts) stops posing as one.
    document.querySelectorAll(".toast-header[role=button]").forEach(function (header) {
      header.removeAttribute("role");
      header.removeAttribute("tabindex");
    });
  }
  new MutationObserver(function () {
    if (!queued) { queued = true; requestAnimationFrame(sweep); }
  }).observe(document.documentElement, { childList: true, subtree: true, attributes: true, attributeFilter: ["aria-label", "title"] });
})();

// The clause's own link, shown so that it works when copied: the server writes it relative
// ("?clause=notice%23二.(一).1", "#" encoded), and the site's address is put in front here.
(function () {
  var queued = false;
  function sweep() {
    queued = false;
    document.querySelectorAll("a.permalink:not([data-absolute])").forEach(function (a) {
      a.setAttribute("data-absolute", "1");
      a.textContent = location.origin + location.pathname + a.textContent.trim();
    });
  }
  new MutationObserver(function () {
    if (!queued) { queued = true; requestAnimationFrame(sweep); }
  }).observe(document.documentElement, { childList: true, subtree: true });
})();

// Tabs move with the arrow keys (the WAI-ARIA tabs pattern; Gradio's tabs answer only clicks):
// ←/→ go to the previous/next tab of the same row, Home/End to the first/last, and open it.
document.addEventListener("keydown", function (e) {
  var tab = e.target && e.target.closest ? e.target.closest("[role=tab]") : null;
  if (!tab || e.altKey || e.ctrlKey || e.metaKey) return;
  var list = tab.closest("[role=tablist]");
  if (!list) return;
  var tabs = Array.prototype.filter.call(list.querySelectorAll("[role=tab]"), function (t) {
    return t.offsetParent !== null && t.getAttribute("aria-disabled") !== "true";
  });
  var at = tabs.indexOf(tab);
  if (at < 0) return;
  var to = { ArrowLeft: at - 1, ArrowRight: at + 1, Home: 0, End: tabs.length - 1 }[e.key];
  if (to === undefined) return;
  e.preventDefault();
  var next = tabs[(to + tabs.length) % tabs.length];
  next.focus();
  next.click();
}, true);

// A notice belongs to the tab it was raised on ("已导入…" in 运维 stayed up over 咨询): opening
// another top-level tab dismisses the open toasts.
document.addEventListener("click", function (e) {
  var tab = e.target && e.target.closest ? e.target.closest("[role=tab]") : null;
  if (!tab || tab.getAttribute("aria-selected") === "true") return;
  document.querySelectorAll("[data-testid='toast-close']").forEach(function (b) { b.click(); });
}, true);
