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
