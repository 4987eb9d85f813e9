/*
 * The clinic's chat widget. Embed it with one tag; it needs nothing else, loads nothing from a CDN:
 *
 *   <script src="https://ASSISTANT/webhooks/web/widget.js" data-clinic-phone="+1 555 010 0000" defer></script>
 *
 * Options (data- attributes of that tag):
 *   data-server        the assistant's address (default: where this file came from)
 *   data-clinic-phone  offered when the assistant cannot be reached (default: none)
 *   data-language      "en" or "es" for the greeting (default: the browser's language)
 *   data-open          "true" opens the chat when the page loads
 *
 * It speaks socket.io (Engine.IO v4) over a plain WebSocket to bot/channels/web.py, keeps its
 * session id in localStorage so a reload resumes the conversation, and shows everything the
 * patient or the assistant wrote as text, never as HTML.
 */
(function () {
  "use strict";

  var script = document.currentScript;
  var options = script ? script.dataset : {};
  var server = (options.server || (script && script.src ? new URL(script.src).origin : location.origin))
    .replace(/\/$/, "");
  var STORAGE = { session: "clinicChat.session", open: "clinicChat.open" };
  var MAX_MESSAGE_CHARS = 1000;

  var TEXT = {
    en: {
      launcher: "Questions? Chat with us",
      title: "Clinic assistant",
      subtitle: "General information, not medical advice",
      close: "Close chat",
      language: "Language",
      log: "Conversation",
      input: "Type your question",
      send: "Send",
      staff: "Talk to staff",
      staffMessage: "I'd like to talk to the clinic's staff",
      suggestions: "Suggested replies",
      typing: "The assistant is typing",
      connecting: "Connecting to the assistant…",
      offline: "We can't reach the assistant right now. We'll keep trying.",
      call: "You can also call the clinic:",
      callAnyTime: "You can also call the clinic directly.",
      you: "You",
      assistant: "Assistant"
    },
    es: {
      launcher: "¿Preguntas? Escríbanos",
      title: "Asistente de la clínica",
      subtitle: "Información general, no consejo médico",
      close: "Cerrar el chat",
      language: "Idioma",
      log: "Conversación",
      input: "Escriba su pregunta",
      send: "Enviar",
      staff: "Hablar con el personal",
      staffMessage: "Quisiera hablar con el personal de la clínica",
      suggestions: "Respuestas sugeridas",
      typing: "El asistente está escribiendo",
      connecting: "Conectando con el asistente…",
      offline: "No podemos comunicarnos con el asistente en este momento. Seguiremos intentándolo.",
      call: "También puede llamar a la clínica:",
      callAnyTime: "También puede llamar directamente a la clínica.",
      you: "Usted",
      assistant: "Asistente"
    }
  };

  function browserLanguage() {
    var wanted = (options.language || navigator.language || "en").toLowerCase();
    return wanted.indexOf("es") === 0 ? "es" : "en";
  }

  function storedSessionId() {
    var id = null;
    try { id = localStorage.getItem(STORAGE.session); } catch (e) { /* storage blocked */ }
    if (id && /^[0-9a-f]{32}$/.test(id)) return id;
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    id = Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
    remember(STORAGE.session, id);
    return id;
  }

  function remember(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* storage blocked: this page view only */ }
  }

  function recalled(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }

  // ---- socket.io over a WebSocket: just what the channel needs -------------------------------
  function Connection(url, on) {
    var socket = null;
    var retryDelay = 1000;
    var heartbeat = null;
    var retry = null;
    var connected = false;

    function open() {
      clearTimeout(retry);
      try {
        socket = new WebSocket(url.replace(/^http/, "ws") + "/socket.io/?EIO=4&transport=websocket");
      } catch (e) {
        return lost();
      }
      socket.onmessage = function (event) { receive(String(event.data)); };
      socket.onclose = lost;
    }

    function alive(timeout) {
      clearTimeout(heartbeat);
      // No ping from the server in time: the connection is dead even if the socket looks open.
      heartbeat = setTimeout(function () { if (socket) socket.close(); }, timeout);
    }

    function receive(packet) {
      if (packet[0] === "0") {  // Engine.IO open: join the default namespace
        var handshake = JSON.parse(packet.slice(1));
        socket.pingWindow = handshake.pingInterval + handshake.pingTimeout;
        alive(socket.pingWindow);
        socket.send("40");
      } else if (packet[0] === "2") {  // ping
        socket.send("3");
        alive(socket.pingWindow);
      } else if (packet.slice(0, 2) === "40") {
        connected = true;
        retryDelay = 1000;
        on.connect();
      } else if (packet.slice(0, 2) === "42") {
        var body = JSON.parse(packet.slice(packet.indexOf("[")));
        on.event(body[0], body[1]);
      } else if (packet.slice(0, 2) === "44" || packet.slice(0, 2) === "41") {
        socket.close();  // refused or dropped by the server: reconnect
      }
    }

    function lost() {
      clearTimeout(heartbeat);
      if (socket) { socket.onclose = null; socket.onmessage = null; }
      socket = null;
      connected = false;
      on.disconnect();
      retry = setTimeout(open, retryDelay);
      retryDelay = Math.min(retryDelay * 2, 10000);
    }

    this.open = open;
    this.emit = function (name, data) {
      if (!connected) return false;
      socket.send("42" + JSON.stringify([name, data]));
      return true;
    };
    this.isConnected = function () { return connected; };
  }

  // ---- rendering: text and links only, built with DOM calls ----------------------------------
  var LINK = /\[([^\]\n]+)\]\(((?:https?:\/\/|tel:|mailto:)[^\s)]+)\)|(https?:\/\/[^\s<>"']*[^\s<>"'.,;:!?)\]])/g;

  function appendRichText(parent, text) {
    var last = 0;
    text.replace(LINK, function (match, label, target, bare, offset) {
      parent.appendChild(document.createTextNode(text.slice(last, offset)));
      var link = document.createElement("a");
      link.href = target || bare;
      link.textContent = label || bare;
      if (/^https?:/.test(link.href)) { link.target = "_blank"; link.rel = "noopener noreferrer"; }
      parent.appendChild(link);
      last = offset + match.length;
      return match;
    });
    parent.appendChild(document.createTextNode(text.slice(last)));
  }

  function element(tag, attributes, children) {
    var node = document.createElement(tag);
    Object.keys(attributes || {}).forEach(function (name) {
      if (name === "text") node.textContent = attributes[name];
      else node.setAttribute(name, attributes[name]);
    });
    (children || []).forEach(function (child) { node.appendChild(child); });
    return node;
  }

  // ---- the widget ---------------------------------------------------------------------------
  function Widget() {
    var host = element("div", { "class": "clinic-chat-host" });
    var root = host.attachShadow({ mode: "open" });
    var language = browserLanguage();
    var sessionId = storedSessionId();
    var greeted = false;
    var typingTimer = null;
    var turnStart = null;  // the assistant's first message since the patient last wrote

    var ui = {
      style: element("link", { rel: "stylesheet", href: server + "/webhooks/web/widget.css" }),
      launcher: element("button", { type: "button", "class": "launcher", "aria-expanded": "false",
                                    "aria-controls": "clinic-chat-panel" }),
      panel: element("section", { id: "clinic-chat-panel", "class": "panel", role: "dialog",
                                  "aria-labelledby": "clinic-chat-title", hidden: "" }),
      title: element("h2", { id: "clinic-chat-title" }),
      subtitle: element("p", { "class": "subtitle" }),
      languages: element("div", { role: "group", "class": "languages" }),
      english: element("button", { type: "button", lang: "en", "data-language": "en", text: "English" }),
      spanish: element("button", { type: "button", lang: "es", "data-language": "es", text: "Español" }),
      close: element("button", { type: "button", "class": "close" }),
      status: element("div", { "class": "status", role: "alert", hidden: "" }),
      log: element("ol", { "class": "log", role: "log", "aria-live": "polite", tabindex: "0" }),
      typing: element("div", { "class": "typing", role: "status", hidden: "" }),
      suggestions: element("div", { "class": "suggestions", role: "group" }),
      staff: element("button", { type: "button", "class": "staff" }),
      form: element("form", { "class": "composer" }),
      label: element("label", { "for": "clinic-chat-input", "class": "visually-hidden" }),
      input: element("textarea", { id: "clinic-chat-input", rows: "2",
                                   maxlength: String(MAX_MESSAGE_CHARS) }),
      send: element("button", { type: "submit", "class": "send" })
    };
    ui.languages.append(ui.english, ui.spanish);
    var header = element("header", {}, [
      element("div", { "class": "heading" }, [ui.title, ui.subtitle]), ui.languages, ui.close
    ]);
    ui.form.append(ui.label, ui.input, ui.send);
    ui.panel.append(header, ui.status, ui.log, ui.typing, ui.suggestions,
                    element("div", { "class": "actions" }, [ui.staff]), ui.form);
    root.append(ui.style, ui.launcher, ui.panel);

    var connection = new Connection(server, {
      connect: function () {
        connection.emit("session_request", { session_id: sessionId });
      },
      disconnect: showOffline,
      event: function (name, data) {
        if (name === "session_confirm") confirmSession(data);
        else if (name === "session_history") showHistory(data && data.messages);
        else if (name === "session_language") adoptLanguage(data && data.language);
        else if (name === "bot_uttered") showAssistantMessage(data || {});
      }
    });

    function t(key) { return TEXT[language][key]; }

    function relabel() {
      ui.launcher.textContent = t("launcher");
      ui.title.textContent = t("title");
      ui.subtitle.textContent = t("subtitle");
      ui.languages.setAttribute("aria-label", t("language"));
      ui.english.setAttribute("aria-pressed", String(language === "en"));
      ui.spanish.setAttribute("aria-pressed", String(language === "es"));
      ui.close.setAttribute("aria-label", t("close"));
      ui.close.textContent = "×";
      ui.log.setAttribute("aria-label", t("log"));
      ui.typing.textContent = "";
      ui.typing.append(element("span", { "class": "dots", "aria-hidden": "true", text: "• • •" }),
                       element("span", { "class": "visually-hidden", text: t("typing") }));
      ui.suggestions.setAttribute("aria-label", t("suggestions"));
      ui.staff.textContent = t("staff");
      ui.label.textContent = t("input");
      ui.input.setAttribute("placeholder", t("input"));
      ui.send.textContent = t("send");
      ui.panel.setAttribute("lang", language);
      if (!ui.status.hidden) showOffline();
    }

    function confirmSession(id) {
      if (typeof id === "string" && id !== sessionId) {  // the server started a fresh one
        sessionId = id;
        remember(STORAGE.session, id);
      }
      ui.status.hidden = true;
      ui.send.disabled = false;
    }

    function showHistory(messages) {
      // Everything said in this session, also what arrived while the page was disconnected;
      // rebuilt quietly, or a screen reader would read the whole conversation again.
      ui.log.setAttribute("aria-live", "off");
      ui.log.textContent = "";
      clearSuggestions();
      (messages || []).forEach(function (message, index) {
        var last = index === messages.length - 1;
        if (message.sender === "patient") addMessage("patient", message.text);
        else addMessage("assistant", message.text, last ? message.buttons : null);
      });
      turnStart = null;
      ui.log.scrollTop = ui.log.scrollHeight;
      setTimeout(function () { ui.log.setAttribute("aria-live", "polite"); }, 0);
      greeted = greeted || (messages || []).length > 0;
      if (!ui.panel.hidden) greet();
    }

    function adoptLanguage(code) {
      if (code !== "en" && code !== "es") return;
      if (code !== language) { language = code; relabel(); }
    }

    function greet() {
      // The first greeting (and its disclaimer) follows the browser until the patient writes.
      if (greeted || !connection.isConnected()) return;
      greeted = true;
      send("/greet" + JSON.stringify({ language: language }), null);
    }

    // `shown` is what the conversation shows for the message (null: nothing, a hidden command).
    function send(message, shown) {
      var payload = { message: message, session_id: sessionId };
      if (shown && shown !== message) payload.shown_as = shown;
      if (!connection.emit("user_uttered", payload)) { showOffline(); return false; }
      clearSuggestions();
      if (shown) addMessage("patient", shown);
      showTyping();
      return true;
    }

    function addMessage(sender, text, buttons) {
      var bubble = element("li", { "class": "message " + sender });
      bubble.append(element("span", { "class": "visually-hidden",
                                      text: (sender === "patient" ? t("you") : t("assistant")) + ": " }));
      var body = element("span", { "class": "text" });
      appendRichText(body, String(text || ""));
      bubble.append(body);
      ui.log.append(bubble);
      if (buttons && buttons.length) showSuggestions(buttons);
      // A long answer is read from its start: keep the first reply of the turn in view.
      if (sender === "patient") turnStart = null;
      else if (!turnStart) turnStart = bubble;
      ui.log.scrollTop = turnStart ? turnStart.offsetTop - 8 : ui.log.scrollHeight;
    }

    function showAssistantMessage(message) {
      hideTyping();
      var buttons = (message.quick_replies || message.buttons || []).map(function (b) {
        return { title: b.title, payload: b.payload };
      });
      addMessage("assistant", message.text, buttons);
    }

    function showSuggestions(buttons) {
      clearSuggestions();
      buttons.forEach(function (button) {
        var choice = element("button", { type: "button", text: button.title });
        choice.addEventListener("click", function () {
          if (send(button.payload, button.title)) ui.input.focus();
        });
        ui.suggestions.append(choice);
      });
    }

    function clearSuggestions() { ui.suggestions.textContent = ""; }

    function showTyping() {
      ui.typing.hidden = false;
      clearTimeout(typingTimer);
      typingTimer = setTimeout(hideTyping, 20000);
    }

    function hideTyping() { ui.typing.hidden = true; clearTimeout(typingTimer); }

    function showOffline() {
      hideTyping();
      ui.send.disabled = true;
      ui.status.textContent = "";
      ui.status.append(element("p", { text: t("offline") }));
      var phone = options.clinicPhone;
      if (phone) {
        var call = element("p", { text: t("call") + " " });
        call.append(element("a", { href: "tel:" + phone.replace(/[^0-9+]/g, ""), text: phone }));
        ui.status.append(call);
      } else {
        ui.status.append(element("p", { text: t("callAnyTime") }));
      }
      ui.status.hidden = false;
    }

    function openPanel() {
      ui.panel.hidden = false;
      ui.launcher.setAttribute("aria-expanded", "true");
      remember(STORAGE.open, "1");
      greet();
      ui.input.focus();
    }

    function closePanel() {
      ui.panel.hidden = true;
      ui.launcher.setAttribute("aria-expanded", "false");
      remember(STORAGE.open, "0");
      ui.launcher.focus();
    }

    ui.launcher.addEventListener("click", function () {
      if (ui.panel.hidden) openPanel(); else closePanel();
    });
    ui.close.addEventListener("click", closePanel);
    ui.panel.addEventListener("keydown", function (event) {
      if (event.key === "Escape") closePanel();
    });
    [ui.english, ui.spanish].forEach(function (button) {
      button.addEventListener("click", function () {
        var wanted = button.getAttribute("data-language");
        if (wanted === language) return;
        language = wanted;
        relabel();
        // Before the conversation starts the greeting simply follows; later the assistant is told.
        if (greeted) send("/switch_language" + JSON.stringify({ language: wanted }), null);
      });
    });
    ui.staff.addEventListener("click", function () {
      if (send("/request_booking", t("staffMessage"))) ui.input.focus();
    });
    ui.form.addEventListener("submit", function (event) {
      event.preventDefault();
      var text = ui.input.value.trim();
      if (!text) return;
      // What the patient typed stays in the box until it could really be sent.
      if (send(text, text)) ui.input.value = "";
    });
    ui.input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey && !event.isComposing) {
        event.preventDefault();
        ui.form.requestSubmit();
      }
    });

    relabel();
    ui.send.disabled = true;  // until connected
    document.body.appendChild(host);
    connection.open();
    if (options.open === "true" || recalled(STORAGE.open) === "1") openPanel();
  }

  if (document.body) Widget();
  else document.addEventListener("DOMContentLoaded", Widget);
})();
