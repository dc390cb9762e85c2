// The deal page's live timeline (WEB.md, "The live timeline"): the browser's own WebSocket
// speaks graphql-transport-ws to the gateway's /graphql and subscribes to licenceUpdated;
// each update fetches the page's live part, rendered by the web app in the page's language,
// and puts it in place. The access token comes from a same-origin POST behind the CSRF check
// and travels only in connection_init's payload: never in a URL, never stored.
// Without this script the page still works: a reload shows the current timeline.
(function () {
  "use strict";
  var live = document.getElementById("deal-live");
  var csrf = document.querySelector('input[name="csrftoken"]');
  if (!live || !csrf || !window.WebSocket || !window.fetch) return;
  var licence = live.getAttribute("data-licence");
  var base = "/deals/" + encodeURIComponent(licence);
  var QUERY = "subscription LicenceUpdated($id: ID!) { licenceUpdated(licenceId: $id) { id status } }";
  var delay = 1000;
  var waiting = false;

  function refresh() {
    return fetch(base + "/live", {credentials: "same-origin"}).then(function (answer) {
      if (!answer.ok) throw new Error("live part: " + answer.status);
      return answer.text();
    }).then(function (html) {
      var shown = document.getElementById("deal-live");
      var state = shown.getAttribute("data-live");
      var holder = document.createElement("div");
      holder.innerHTML = html;
      var fresh = holder.querySelector("#deal-live");
      if (!fresh) return;
      if (state) fresh.setAttribute("data-live", state);
      shown.replaceWith(fresh);
    });
  }

  function again() {
    // One reconnection at a time, backing off to a minute.
    if (waiting) return;
    waiting = true;
    var shown = document.getElementById("deal-live");
    if (shown) shown.setAttribute("data-live", "off");
    setTimeout(function () { waiting = false; connect(); }, delay);
    delay = Math.min(delay * 2, 60000);
  }

  function connect() {
    fetch(base + "/token", {
      method: "POST", credentials: "same-origin", headers: {"x-csrftoken": csrf.value}
    }).then(function (answer) {
      if (!answer.ok) throw new Error("token: " + answer.status);
      return answer.json();
    }).then(function (given) {
      var scheme = location.protocol === "https:" ? "wss://" : "ws://";
      var socket = new WebSocket(scheme + location.host + "/graphql", "graphql-transport-ws");
      socket.onopen = function () {
        socket.send(JSON.stringify({type: "connection_init",
                                    payload: {authorization: "Bearer " + given.token}}));
      };
      socket.onmessage = function (message) {
        var data = JSON.parse(message.data);
        if (data.type === "connection_ack") {
          socket.send(JSON.stringify({id: "deal", type: "subscribe",
                                      payload: {query: QUERY, variables: {id: licence}}}));
          // What happened while the page loaded or the socket was away.
          refresh().then(function () {
            delay = 1000;
            document.getElementById("deal-live").setAttribute("data-live", "on");
          }).catch(function () { socket.close(); });
        } else if (data.type === "next") {
          refresh().catch(function () { socket.close(); });
        } else if (data.type === "ping") {
          socket.send(JSON.stringify({type: "pong"}));
        } else if (data.type === "error" || data.type === "complete") {
          socket.close();  // e.g. the token expired: a fresh one on reconnecting
        }
      };
      socket.onclose = again;
    }).catch(again);
  }

  connect();
})();
