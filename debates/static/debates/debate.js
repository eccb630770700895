/* Live debate panel: connects to /ws/proposals/<id>/, catches up by sequence
 * number, reconnects with backoff and updates the panel without reload.
 * Without JavaScript the panel is a plain page with plain forms.
 *
 * The stream is the proposal page's, so this script also keeps every figure
 * about the proposal on the page in step, whichever app drew it: the state
 * badges ([data-proposal-state]), the small strip and the big tally
 * ([data-tally], [data-tally-bar], [data-tally-sentence],
 * [data-tally-explanation]) and the argument counts. One event updates all
 * of them at once, so the page never shows two different tallies. */
(function () {
  "use strict";

  var panel = document.querySelector("[data-ws-path]");
  if (!panel || !window.WebSocket) { return; }

  var strings = JSON.parse(document.getElementById("debate-strings").textContent);
  var stateLabels = JSON.parse(document.getElementById("debate-state-labels").textContent);
  var connection = panel.querySelector("[data-debate-connection]");
  var list = panel.querySelector("[data-debate-arguments]");
  var form = panel.querySelector("[data-debate-form]");
  var template = panel.querySelector('template[data-debate-template="argument"]');
  var lastSeq = parseInt(panel.dataset.lastSeq, 10) || 0;
  var socket = null;
  var attempt = 0;
  var pingTimer = null;
  var stopped = false;
  var pendingRef = null;
  var refCounter = 0;
  // The server sends a heartbeat with the stream's latest number every few
  // seconds. A line that stays silent for three of them is dead even if the
  // socket looks open (a proxy or Redis lost it): reconnect and catch up.
  var heartbeatSeconds = 15;
  var lastHeard = Date.now();
  var staleTimer = null;
  var behindAt = null;
  var maxBytes = parseInt(panel.dataset.maxBytes, 10) || 0;
  var language = (document.documentElement.lang || "").split("-")[0];
  var counts = panel.querySelector("[data-debate-counts]");
  var votePanelFetch = 0;

  function setConnection(state, seconds) {
    var text = strings[state] || state;
    connection.textContent = text.replace("%(seconds)s", seconds);
    panel.dataset.connection = state;
  }

  function url() {
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    return scheme + window.location.host + panel.dataset.wsPath + "?after=" + lastSeq;
  }

  function connect() {
    setConnection("connecting");
    socket = new WebSocket(url());
    socket.addEventListener("open", function () {
      attempt = 0;
      lastHeard = Date.now();
      setConnection("live");
      clearInterval(pingTimer);
      pingTimer = setInterval(function () { send({ type: "ping" }); }, 60000);
      clearInterval(staleTimer);
      staleTimer = setInterval(checkStale, 1000);
    });
    socket.addEventListener("message", function (message) {
      var frame;
      lastHeard = Date.now();
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      handle(frame);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(pingTimer);
      clearInterval(staleTimer);
      socket = null;
      if (pendingRef && form) { pendingRef = null; setBusy(false); }
      if (stopped || event.code === 4404) { setConnection("offline"); return; }
      // Exponential backoff with jitter: 1, 2, 4 … 30 s.
      var delay = Math.min(30, Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
      if (event.code === 4429) { delay = Math.max(delay, 30); }
      attempt += 1;
      setConnection("reconnecting", Math.round(delay));
      setTimeout(connect, delay * 1000);
    });
  }

  function checkStale() {
    if (socket && Date.now() - lastHeard > 3 * heartbeatSeconds * 1000) {
      socket.close();  // the close handler reconnects with ?after=lastSeq
    }
  }

  function onHeartbeat(latest) {
    // Behind the stream for two heartbeats in a row: ask for what was missed
    // (the server normally sends it by itself after the first).
    if (latest > lastSeq) {
      if (behindAt !== null && behindAt <= lastSeq) { send({ type: "catch_up", after: lastSeq }); }
      behindAt = lastSeq;
    } else {
      behindAt = null;
    }
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function field(element, name) {
    return element.querySelector(':scope > [data-field="' + name + '"], :scope > header > [data-field="' + name + '"]');
  }

  function argumentElement(id) {
    return document.getElementById("argument-" + id);
  }

  function showBody(element, data) {
    var body = field(element, "body");
    var notice = field(element, "notice");
    if (data.status === "visible") {
      body.innerHTML = data.html; // sanitized by the server (markdown-it + nh3)
      body.hidden = false;
      notice.hidden = true;
      element.classList.remove("argument-hidden");
    } else {
      body.innerHTML = "";
      body.hidden = true;
      var text = strings.hidden_by
        .replace("%(steward)s", data.hidden_by)
        .replace("%(reason)s", data.hidden_reason);
      if (data.status === "under_review") { text += " " + strings.under_review; }
      if (data.status === "hide_confirmed") { text += " " + strings.hide_confirmed; }
      notice.textContent = text;
      notice.hidden = false;
      element.classList.add("argument-hidden");
      // Forms that act on the visible text no longer apply, and nobody can
      // reply in its thread any more.
      element.querySelectorAll(":scope > .argument-actions, :scope > .argument-action, :scope > .argument-history")
        .forEach(function (node) { node.remove(); });
      element.querySelectorAll("[data-reply-action]").forEach(function (node) { node.remove(); });
    }
    field(element, "edited").hidden = !data.edited_at;
  }

  function addArgument(data) {
    if (argumentElement(data.id)) { return; }
    var element = template.content.firstElementChild.cloneNode(true);
    element.id = "argument-" + data.id;
    element.dataset.argument = data.id;
    element.classList.add("argument-" + data.stance);
    var meta = element.querySelector("header");
    meta.id = "argument-" + data.id + "-meta";
    element.setAttribute("aria-labelledby", meta.id);
    field(element, "stance").textContent = strings["stance_" + data.stance] || data.stance;
    field(element, "author").textContent = data.author_name;
    var time = field(element, "time");
    time.setAttribute("datetime", data.created_at);
    // Written as the server writes it (kernel/dates.py, static/js/moments.js).
    time.textContent = window.CommonsMoments ? window.CommonsMoments.moment(data.created_at) : data.created_at;
    prepareActions(element, data);
    showBody(element, data);
    var parent = data.parent ? argumentElement(data.parent) : null;
    var container = parent ? field(parent, "replies") : list;
    container.appendChild(element);
    var empty = list.querySelector("[data-debate-empty]");
    if (empty) { empty.remove(); }
    if (!data.parent) { countArgument(data.stance); }
  }

  // The "for / against / questions" counts: top-level arguments by stance,
  // hidden ones included (as debates.selectors counts them).
  function countArgument(stance) {
    if (!counts || counts.dataset[stance] === undefined) { return; }
    counts.dataset[stance] = (parseInt(counts.dataset[stance], 10) || 0) + 1;
    counts.textContent = fillSentence(counts.dataset.countSentence, {
      pro: counts.dataset.pro, contra: counts.dataset.contra, question: counts.dataset.question
    });
  }

  // A sentence of the page with %(name)s slots (its words stay the page's).
  function fillSentence(sentence, values) {
    return sentence.replace(/%\((\w+)\)s/g, function (whole, name) {
      return values[name] === undefined || values[name] === null ? whole : String(values[name]);
    });
  }

  // The template carries the forms this reader may use; point them at the new
  // message and drop those that do not apply (own message, replies).
  function prepareActions(element, data) {
    var isAuthor = data.author === panel.dataset.username;
    element.querySelectorAll("[data-only]").forEach(function (node) {
      var only = node.dataset.only;
      if ((only === "top-level" && data.parent) || (only === "not-author" && isAuthor) ||
          (only === "author" && !isAuthor)) {
        node.remove();
      }
    });
    element.querySelectorAll("textarea[data-source]").forEach(function (area) {
      area.value = data.body || "";
    });
    // Nobody can reply to a hidden message (debates.services.post_argument).
    var parent = data.parent ? argumentElement(data.parent) : null;
    if (data.status !== "visible" || (parent && parent.classList.contains("argument-hidden"))) {
      element.querySelectorAll("[data-reply-action]").forEach(function (node) { node.remove(); });
    }
    element.querySelectorAll("form[data-action-url]").forEach(function (formNode) {
      formNode.action = formNode.dataset.actionUrl.replace("/0/", "/" + data.id + "/");
    });
    element.querySelectorAll("[data-argument-id]").forEach(function (input) { input.value = data.id; });
    element.querySelectorAll("[data-id]").forEach(function (input) { input.id = input.dataset.id + data.id; });
    element.querySelectorAll("label[data-for]").forEach(function (label) {
      label.htmlFor = label.dataset.for + data.id;
    });
  }

  // Every tally figure of the page at once: the strip, the big tally's
  // numbers, bars and sentences, and the explanation (sent by the server in
  // each language of the site; this page shows its own).
  function updateTally(tally) {
    var values = {
      yes: tally.yes, no: tally.no, abstain: tally.abstain, electorate: tally.electorate,
      ballots: tally.ballots !== undefined ? tally.ballots : tally.yes + tally.no + tally.abstain
    };
    document.querySelectorAll("[data-tally]").forEach(function (node) {
      var value = values[node.dataset.tally];
      if (value !== undefined && value !== null) { node.textContent = value; }
    });
    document.querySelectorAll("[data-live-results]").forEach(function (results) {
      var full = parseFloat(results.dataset.barWidth) || 0;
      results.querySelectorAll("[data-tally-bar]").forEach(function (bar) {
        var count = values[bar.dataset.tallyBar];
        // As proposals_tags.bar_width draws it on the server.
        var width = values.electorate ? Math.round(full * count / values.electorate) : 0;
        bar.setAttribute("width", String(width));
      });
    });
    document.querySelectorAll("[data-tally-sentence]").forEach(function (node) {
      node.textContent = fillSentence(node.dataset.tallySentence, values);
    });
    if (tally.explanation) {
      var text = tally.explanation[language];
      if (text === undefined) { text = tally.explanation[Object.keys(tally.explanation)[0]] || ""; }
      document.querySelectorAll("[data-tally-explanation]").forEach(function (node) {
        node.textContent = text;
        var box = node.closest("[data-tally-explanation-box]");
        if (box) { box.hidden = !text; }
      });
    }
    var strip = panel.querySelector("[data-debate-tally]");
    if (strip) { strip.hidden = false; }
  }

  // The member's own ballot swaps the vote box (htmx) with the counts read
  // after it: the strip takes the same counts at once.
  function followVotePanel() {
    var votePanel = document.getElementById("vote");
    if (!votePanel || !votePanel.parentNode || !window.MutationObserver) { return; }
    new MutationObserver(function () {
      var results = document.querySelector("#vote [data-live-results]");
      if (!results) { return; }
      var read = function (name) {
        var node = results.querySelector('[data-tally="' + name + '"]');
        return node ? parseInt(node.textContent, 10) : undefined;
      };
      var strip = panel.querySelector("[data-debate-tally]");
      if (strip) {
        ["yes", "no", "abstain"].forEach(function (name) {
          var value = read(name);
          var node = strip.querySelector('[data-tally="' + name + '"]');
          if (node && !isNaN(value)) { node.textContent = value; }
        });
        strip.hidden = false;
      }
    }).observe(votePanel.parentNode, { childList: true });
  }

  // A new state changes what the vote box offers (the form, the heading, the
  // outcome): fetch it again, in this reader's language. Readers are spread
  // over a second and a half so a close does not arrive as one burst.
  function refreshVotePanel(state) {
    var votePanel = document.getElementById("vote");
    if (!votePanel || !votePanel.dataset.votePanelUrl || votePanel.dataset.state === state) { return; }
    votePanelFetch += 1;
    var ticket = votePanelFetch;
    setTimeout(function () {
      fetch(votePanel.dataset.votePanelUrl, { credentials: "same-origin", headers: { "Accept": "text/html" } })
        .then(function (response) { return response.ok ? response.text() : null; })
        .then(function (html) {
          var current = document.getElementById("vote");
          if (!html || ticket !== votePanelFetch || !current) { return; }
          var holder = document.createElement("template");
          holder.innerHTML = html;
          var fresh = holder.content.querySelector("#vote");
          if (!fresh) { return; }
          current.replaceWith(fresh);
          if (window.htmx) { window.htmx.process(fresh); }
        })
        .catch(function () { /* the page keeps its box; a reload shows the new state */ });
    }, Math.random() * 1500);
  }

  function showState(state) {
    var label = stateLabels[state] || state;
    panel.querySelector("[data-debate-state]").textContent = label;
    document.querySelectorAll("[data-proposal-state]").forEach(function (badge) {
      badge.textContent = label;
      badge.className = badge.className.replace(/\bstate-\S+/g, "").trim() + " state-" + state;
    });
  }

  var stored = {
    "debate.argument_posted": function (data) { addArgument(data); },
    "debate.argument_edited": function (data) {
      var element = argumentElement(data.id);
      if (element) { showBody(element, data); } else { addArgument(data); }
    },
    "debate.argument_hidden": function (data) {
      var element = argumentElement(data.id);
      if (element) { showBody(element, data); }
    },
    "debate.argument_restored": function (data) {
      var element = argumentElement(data.id);
      if (element) { showBody(element, data); }
    },
    "debate.argument_moderated": function (data) {
      var element = argumentElement(data.id);
      if (element) { showBody(element, data); }
    },
    "proposal.tally": function (data) { updateTally(data); },
    "proposal.state": function (data) {
      showState(data.state);
      if (data.tally) { updateTally(data.tally); }
      refreshVotePanel(data.state);
      if (data.is_open === false && form) {
        var closed = document.createElement("p");
        closed.className = "debate-closed";
        closed.textContent = strings.closed;
        form.replaceWith(closed);
        form = null;
        panel.querySelectorAll(".argument-actions").forEach(function (node) { node.remove(); });
      }
    }
  };

  function handle(frame) {
    if (stored[frame.type]) {
      if (frame.seq <= lastSeq) { return; }
      lastSeq = frame.seq;
      panel.dataset.lastSeq = lastSeq;
      stored[frame.type](frame.data);
      return;
    }
    switch (frame.type) {
      case "stream.heartbeat":
        onHeartbeat(frame.seq);
        break;
      case "stream.welcome":
        if (frame.data.heartbeat) { heartbeatSeconds = frame.data.heartbeat; }
        /* falls through */
      case "stream.presence":
        var count = frame.type === "stream.welcome" ? frame.data.presence : frame.data.count;
        panel.querySelector("[data-debate-presence]").textContent = count;
        break;
      case "stream.resync":
        stopped = true;
        setConnection("offline");
        connection.textContent = strings.resync;
        if (socket) { socket.close(); }
        break;
      case "ack":
        if (frame.ref === pendingRef && form) {
          pendingRef = null;
          form.reset();
          showFormError("");
          setBusy(false);
        }
        break;
      case "error":
        if (frame.ref !== undefined && frame.ref !== null && frame.ref === pendingRef) {
          pendingRef = null;
          showFormError(frame.message);
          setBusy(false);
        } else if ((frame.ref === undefined || frame.ref === null) && pendingRef) {
          // Refused before it could be read (too large, throttled…): the
          // error cannot name the post, but the post is the one waiting.
          pendingRef = null;
          showFormError(frame.code === "too_large" ? strings.too_long : frame.message);
          setBusy(false);
        }
        break;
    }
  }

  function showFormError(message) {
    if (!form) { return; }
    var box = form.querySelector("[data-debate-form-error]");
    var textarea = form.querySelector("textarea");
    box.textContent = message;
    box.hidden = !message;
    if (message) {
      form.setAttribute("aria-describedby", box.id);
      textarea.setAttribute("aria-invalid", "true");
    } else {
      form.removeAttribute("aria-describedby");
      textarea.removeAttribute("aria-invalid");
    }
  }

  function setBusy(busy) {
    if (!form) { return; }
    form.querySelector("button[type=submit]").disabled = busy;
  }

  // The size limit is in bytes of UTF-8, as the server counts it; a message
  // over it is refused here with the server's words, before it is sent.
  function tooLong(text) {
    if (!maxBytes || !window.TextEncoder) { return false; }
    var body = text.replace(/\r\n/g, "\n").trim();
    return new TextEncoder().encode(body).length > maxBytes;
  }

  function showFieldError(formNode, textarea, message) {
    if (formNode === form) { showFormError(message); return; }
    var box = formNode.querySelector("[data-size-error]");
    if (!box) {
      box = document.createElement("p");
      box.className = "form-error";
      box.setAttribute("role", "alert");
      box.dataset.sizeError = "";
      box.id = (textarea.id || "debate-text") + "-error";
      textarea.parentNode.insertBefore(box, textarea);
    }
    box.textContent = message;
    box.hidden = !message;
    if (message) {
      textarea.setAttribute("aria-invalid", "true");
      textarea.setAttribute("aria-describedby", box.id);
    } else {
      textarea.removeAttribute("aria-invalid");
      textarea.removeAttribute("aria-describedby");
    }
  }

  // Before any other handler (capture): every form of the panel with a text.
  panel.addEventListener("submit", function (event) {
    var formNode = event.target;
    var textarea = formNode.querySelector && formNode.querySelector("textarea[name=body]");
    if (!textarea) { return; }
    if (tooLong(textarea.value)) {
      event.preventDefault();
      event.stopPropagation();
      showFieldError(formNode, textarea, strings.too_long);
      textarea.focus();
    } else if (formNode !== form) {
      showFieldError(formNode, textarea, "");
    }
  }, true);

  if (form) {
    form.addEventListener("submit", function (event) {
      if (!socket || socket.readyState !== WebSocket.OPEN || pendingRef) { return; } // plain post
      var stance = form.querySelector("input[name=stance]:checked");
      refCounter += 1;
      pendingRef = "post-" + refCounter;
      var sent = send({
        type: "post",
        ref: pendingRef,
        stance: stance ? stance.value : "",
        body: form.querySelector("textarea[name=body]").value
      });
      if (!sent) { pendingRef = null; return; }
      event.preventDefault();
      setBusy(true);
    });
  }

  window.addEventListener("beforeunload", function () { stopped = true; });
  followVotePanel();
  connect();
})();
