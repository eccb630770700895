/* Live marketplace: follows /ws/contributions/marketplace/, catches up by
 * sequence number after a reconnect, and adds new needs and standing offers
 * to the page without a reload (docs/realtime.md). Without JavaScript the
 * page is a plain list; a filtered or older page is not changed live. */
(function () {
  "use strict";

  var root = document.getElementById("marketplace");
  if (!root || !window.WebSocket) { return; }
  var strings = JSON.parse(document.getElementById("marketplace-strings").textContent);
  var status = root.querySelector("[data-connection]");
  var needs = root.querySelector("[data-needs]");
  var offers = root.querySelector("[data-standing-offers]");
  var filtered = root.dataset.filtered === "1";
  var lastSeq = parseInt(root.dataset.lastSeq, 10) || 0;
  var attempt = 0;
  var heartbeatSeconds = 15;
  var lastHeard = Date.now();
  var socket = null;
  var staleTimer = null;

  function say(state, seconds) {
    status.textContent = (strings[state] || state).replace("%(seconds)s", seconds);
    root.dataset.connection = state;
  }

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, function (_, name) { return values[name]; });
  }

  function field(element, name) { return element.querySelector('[data-field="' + name + '"]'); }

  function clone(name) {
    return root.querySelector('template[data-template="' + name + '"]').content.firstElementChild.cloneNode(true);
  }

  function removeEmpty(list) {
    var empty = list.querySelector("[data-empty]");
    if (empty) { empty.remove(); }
  }

  function fillNeed(element, data) {
    var title = field(element, "title");
    title.textContent = data.title;
    title.href = data.url;
    var state = field(element, "state");
    state.textContent = data.state_label;
    state.className = "badge badge-" + data.state;
    field(element, "place").textContent = data.is_online ? strings.online : data.place;
    field(element, "people").textContent = format(data.people_needed === 1 ? strings.people_one : strings.people_other, { accepted: data.accepted, people: data.people_needed });
    var posted = field(element, "posted");
    if (posted) { posted.textContent = format(strings.posted_by, { who: data.posted_by }); }
    var skills = field(element, "skills");
    if (skills) {
      var names = data.skills.map(function (s) { return s.name; });
      skills.textContent = names.length ? (posted ? "· " + strings.skills + " " : "") + names.join(", ") : "";
    }
  }

  function needPosted(data) {
    if (filtered || document.getElementById("need-" + data.id)) { return; }
    var element = clone("need");
    element.id = "need-" + data.id;
    element.dataset.need = data.id;
    fillNeed(element, data);
    removeEmpty(needs);
    needs.insertBefore(element, needs.firstChild);
  }

  function needChanged(data) {
    var element = document.getElementById("need-" + data.id);
    if (!element) { return; }
    var state = field(element, "state");
    state.textContent = data.state_label;
    state.className = "badge badge-" + data.state;
    field(element, "people").textContent = format(data.people_needed === 1 ? strings.people_one : strings.people_other, { accepted: data.accepted, people: data.people_needed });
  }

  function offerPosted(data) {
    if (document.getElementById("standing-offer-" + data.id)) { return; }
    var element = clone("standing-offer");
    element.id = "standing-offer-" + data.id;
    var title = field(element, "title");
    title.textContent = data.title;
    title.href = data.url;
    field(element, "member").textContent = "— " + data.member + (data.availability ? ", " + data.availability : "");
    removeEmpty(offers);
    offers.insertBefore(element, offers.firstChild);
  }

  function offerWithdrawn(data) {
    var element = document.getElementById("standing-offer-" + data.id);
    if (element) { element.remove(); }
  }

  var handlers = {
    "contributions.need_posted": needPosted,
    "contributions.need_changed": needChanged,
    "contributions.standing_offer_posted": offerPosted,
    "contributions.standing_offer_withdrawn": offerWithdrawn
  };

  function handle(frame) {
    if (frame.type === "stream.welcome") {
      if (frame.data && frame.data.heartbeat) { heartbeatSeconds = frame.data.heartbeat; }
      return;
    }
    if (frame.type === "stream.resync") { window.location.reload(); return; }
    if (frame.type === "stream.heartbeat" || frame.type === "stream.presence" || frame.type === "pong") { return; }
    var handler = handlers[frame.type];
    if (handler && typeof frame.seq === "number") {
      if (frame.seq <= lastSeq) { return; }
      lastSeq = frame.seq;
      handler(frame.data);
    }
  }

  function connect() {
    say("connecting");
    var scheme = window.location.protocol === "https:" ? "wss://" : "ws://";
    socket = new WebSocket(scheme + window.location.host + root.dataset.wsPath + "?after=" + lastSeq);
    socket.addEventListener("open", function () {
      attempt = 0;
      lastHeard = Date.now();
      say("live");
      clearInterval(staleTimer);
      staleTimer = setInterval(function () {
        if (socket && Date.now() - lastHeard > 3 * heartbeatSeconds * 1000) { socket.close(); }
      }, 1000);
    });
    socket.addEventListener("message", function (message) {
      lastHeard = Date.now();
      var frame;
      try { frame = JSON.parse(message.data); } catch (e) { return; }
      handle(frame);
    });
    socket.addEventListener("close", function (event) {
      clearInterval(staleTimer);
      socket = null;
      if (event.code === 4404) { say("offline"); return; }
      var delay = Math.min(30, Math.pow(2, attempt)) * (0.75 + Math.random() * 0.5);
      if (event.code === 4429) { delay = Math.max(delay, 30); }
      attempt += 1;
      say("reconnecting", Math.round(delay));
      setTimeout(connect, delay * 1000);
    });
  }

  connect();
})();
