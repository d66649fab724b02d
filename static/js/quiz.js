/* Quiz paper: countdown and background saving. Optional: without it the form's buttons save. */
(function () {
  "use strict";
  var form = document.getElementById("paper");
  if (!form || !window.fetch || !window.JSON) { return; }
  var d = form.dataset;
  var token = form.querySelector("input[name=csrf_token]").value;
  var statusEl = document.getElementById("save-status");
  var leftEl = document.getElementById("time-left");
  var end = Date.now() + (+d.secondsLeft) * 1000;
  var pending = {}, order = [], busy = false, stopped = false, delay = 2000, timer;
  var countEl = document.getElementById("answered-count");

  /* Questions answered on this page; the server's count also covers the other pages. */
  function answeredHere() {
    var sets = form.querySelectorAll("fieldset.q"), n = 0;
    for (var i = 0; i < sets.length; i++) { if (sets[i].querySelector("input:checked")) { n++; } }
    return n;
  }
  var elsewhere = countEl ? +countEl.textContent - answeredHere() : 0;

  function say(text, cls) { statusEl.textContent = text; statusEl.className = "save-status small " + (cls || ""); }

  function put(key, body) {
    if (!(key in pending)) { order.push(key); }
    pending[key] = body;
  }

  function send() {
    if (busy || stopped || !order.length) { return; }
    var key = order.shift(), body = pending[key];
    delete pending[key];
    busy = true;
    say(d.msgSaving);
    fetch(d.saveUrl, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "Accept": "application/json", "X-CSRFToken": token },
      body: JSON.stringify(body)
    }).then(function (r) {
      if (r.status >= 500) { throw new Error("server"); }
      return r.json().then(function (data) { return { code: r.status, data: data }; },
        function () { return { code: r.status, data: { message: d.msgFailed } }; });
    }).then(function (res) {
      busy = false;
      if (res.data.ok) {
        delay = 2000;
        end = Date.now() + res.data.seconds_left * 1000;
        if (!order.length) { say(d.msgSaved, "ok"); }
        send();
        return;
      }
      /* Refused for good (not a network problem): the form's buttons still save everything. */
      say(res.data.message, "err");
      if (res.code === 409 || res.code === 401) {
        stopped = true;
        if (res.data.redirect) { window.location.href = res.data.redirect; }
      } else { send(); }
    }).catch(function () {
      /* Offline or a server error: keep the change (unless a newer one replaced it), retry. */
      busy = false;
      if (!(key in pending)) { put(key, body); }
      say(d.msgRetry, "err");
      setTimeout(send, delay);
      delay = Math.min(delay * 2, 30000);
    });
  }

  form.addEventListener("change", function (e) {
    var t = e.target, m = /^q(\d+)$/.exec(t.name || "");
    if (m) {
      var boxes = form.querySelectorAll("input[name=q" + m[1] + "]"), choices = [];
      for (var i = 0; i < boxes.length; i++) { if (boxes[i].checked) { choices.push(+boxes[i].value); } }
      put(m[1], { question: +m[1], choices: choices });
      if (countEl) { countEl.textContent = elsewhere + answeredHere(); }
    } else if (t.name === "prediction") {
      put("p", { prediction: t.value });
    } else { return; }
    send();
  });
  window.addEventListener("online", send);

  function tick() {
    var s = Math.max(0, Math.round((end - Date.now()) / 1000));
    leftEl.textContent = Math.floor(s / 60) + ":" + ("0" + (s % 60)).slice(-2);
    if (s <= 60) { leftEl.parentNode.className = "timer urgent"; }
    if (s === 0 && !stopped) {
      clearInterval(timer);
      stopped = true;
      say(d.msgTimeup, "err");
      /* The posted page carries every answer on it; the server accepts it within the grace. */
      var submit = form.querySelector("[data-submit]");
      if (submit) { submit.click(); } else { form.submit(); }
    }
  }
  timer = setInterval(tick, 1000);
  tick();
}());
