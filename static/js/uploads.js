/* Entry files sent in pieces, one file at a time, with a progress bar; a dropped connection
   resumes where the server says it stopped. Optional: without it the form's file field works. */
(function () {
  "use strict";
  var box = document.getElementById("uploader");
  var later = document.getElementById("uploader-later");
  var plain = document.getElementById("plain-files");
  if (!window.fetch || !window.JSON || !window.Blob || !(box || later)) { return; }
  /* A new entry keeps its file field (small files go with the form) and offers to save first. */
  if (later) { later.hidden = false; return; }
  /* A saved entry gets the uploader; the form's field stays only to show its own refusal. */
  if (plain && !plain.querySelector(".has-error")) { plain.hidden = true; }
  box.hidden = false;

  var d = box.dataset;
  var form = document.getElementById("entry-form");
  var token = form.querySelector("input[name=csrf_token]").value;
  var picker = document.getElementById("big-files");
  var list = document.getElementById("upload-list");
  var files = document.getElementById("file-list");
  var queue = [], busy = false;

  function fill(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (m, k) { return values[k]; });
  }

  function row(file) {
    var li = document.createElement("li"), name = document.createElement("span");
    var bar = document.createElement("progress"), state = document.createElement("span");
    name.textContent = file.name;
    bar.max = file.size; bar.value = 0;
    bar.setAttribute("aria-label", file.name);
    state.className = "small upload-state";
    state.textContent = d.msgWaiting;
    li.appendChild(name); li.appendChild(bar); li.appendChild(state);
    list.appendChild(li);
    return { file: file, li: li, bar: bar, state: state, delay: 1000 };
  }

  function say(job, text, cls) { job.state.textContent = text; job.state.className = "small upload-state " + (cls || ""); }

  function call(method, url, body, headers) {
    var h = { "Accept": "application/json", "X-CSRFToken": token };
    for (var k in headers || {}) { h[k] = headers[k]; }
    return fetch(url, { method: method, credentials: "same-origin", headers: h, body: body })
      .then(function (r) {
        if (r.status >= 500) { throw new Error("server"); }
        return r.json().then(function (data) { return { code: r.status, data: data }; },
          function () { return { code: r.status, data: { ok: false, messages: [d.msgFailed] } }; });
      });
  }

  function listed(file) {
    if (!files || !file) { return; }
    var li = document.createElement("li"), a = document.createElement("a");
    a.href = file.url; a.textContent = file.name;
    li.appendChild(a);
    var info = document.createElement("span");
    info.className = "small muted";
    info.textContent = file.kind.toUpperCase() + " · " + (file.size / 1048576).toFixed(1) + " MB";
    li.appendChild(info);
    files.appendChild(li);
  }

  function finished(job, res) {
    busy = false;
    if (res.data.state === "done") {
      job.bar.value = job.file.size;
      say(job, d.msgDone, "ok");
      listed(res.data.file);
    } else {
      say(job, (res.data.messages || [d.msgFailed]).join(" "), "err");
      job.li.className = "upload-refused";
    }
    next();
  }

  /* Offline or a server error: wait longer each time, ask where the upload stands, go on. */
  function retry(job) {
    var seconds = Math.round(job.delay / 1000);
    say(job, fill(d.msgRetry, { seconds: seconds }), "err");
    setTimeout(function () {
      call("GET", job.url).then(function (res) {
        if (res.code !== 200) { return finished(job, res); }
        if (res.data.state !== "open") { return finished(job, res); }
        job.delay = 1000;
        send(job, res.data.offset);
      }).catch(function () { retry(job); });
    }, job.delay);
    job.delay = Math.min(job.delay * 2, 30000);
  }

  function send(job, offset) {
    job.bar.value = offset;
    say(job, fill(d.msgSending, { percent: Math.floor(100 * offset / job.file.size) }));
    var piece = job.file.slice(offset, Math.min(offset + job.chunk, job.file.size));
    call("PATCH", job.url, piece, { "Upload-Offset": String(offset), "Content-Type": "application/offset+octet-stream" })
      .then(function (res) {
        if (res.code === 409 && typeof res.data.offset === "number" && !res.data.state) {
          return send(job, res.data.offset);
        }
        if (res.code !== 200 || res.data.state !== "open") { return finished(job, res); }
        job.delay = 1000;
        send(job, res.data.offset);
      }).catch(function () { retry(job); });
  }

  function begin(job) {
    var reason = document.getElementById("reason");
    say(job, fill(d.msgSending, { percent: 0 }));
    call("POST", d.startUrl, JSON.stringify({ name: job.file.name, size: job.file.size, reason: reason ? reason.value : "" }),
      { "Content-Type": "application/json" })
      .then(function (res) {
        if (res.code !== 201) { return finished(job, res); }
        job.url = res.data.url;
        job.chunk = res.data.chunk_size;
        send(job, res.data.offset);
      }).catch(function () {
        /* Nothing was started: try the start again after a while. */
        say(job, fill(d.msgRetry, { seconds: Math.round(job.delay / 1000) }), "err");
        setTimeout(function () { begin(job); }, job.delay);
        job.delay = Math.min(job.delay * 2, 30000);
      });
  }

  function next() {
    if (busy || !queue.length) { return; }
    busy = true;
    begin(queue.shift());
  }

  picker.addEventListener("change", function () {
    for (var i = 0; i < picker.files.length; i++) { queue.push(row(picker.files[i])); }
    picker.value = "";
    next();
  });
}());
