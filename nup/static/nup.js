// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";
  const ko = document.documentElement.lang === "ko";
  const t = (koText, enText) => (ko ? koText : enText);

  // Take keyboard and screen-reader users straight to a form's error summary.
  function focusErrors() {
    const summary = document.getElementById("error-summary");
    if (summary) summary.focus();
  }

  // A live countdown to a deadline; the server still decides what is on time.
  function countdowns() {
    document.querySelectorAll("[data-deadline]").forEach((el) => {
      const deadline = new Date(el.dataset.deadline).getTime();
      const original = el.textContent;
      const tick = () => {
        const left = Math.floor((deadline - Date.now()) / 1000);
        if (left <= 0) { el.textContent = t("마감되었습니다.", "The deadline has passed."); return; }
        const d = Math.floor(left / 86400), h = Math.floor((left % 86400) / 3600);
        const m = Math.floor((left % 3600) / 60), s = left % 60;
        const parts = ko ? `${d}일 ${h}시간 ${m}분 ${s}초` : `${d}d ${h}h ${m}m ${s}s`;
        el.textContent = `${original} — ${t("남은 시간", "time left")}: ${parts}`;
        setTimeout(tick, 1000);
      };
      tick();
    });
  }

  // Autosave: send the form as JSON a moment after typing stops, and keep a copy in this
  // browser so that nothing typed is lost if the network or the server fails.
  function autosave() {
    const form = document.querySelector("form[data-autosave]");
    if (!form) return;
    const url = form.dataset.autosave;
    const key = "nup-draft:" + url;
    const status = document.getElementById("autosave-status");
    const token = form.querySelector("input[name=csrf_token]").value;
    const version = form.querySelector("input[name=version]");
    let timer = null, saving = false, again = false;

    function values() {
      const data = {};
      new FormData(form).forEach((value, name) => {
        if (name === "csrf_token" || name === "version" || name === "next" || name === "save") return;
        if (name === "target_markets") (data[name] = data[name] || []).push(value);
        else data[name] = value;
      });
      if (form.querySelector("[name=target_markets]") && !data.target_markets) data.target_markets = [];
      return data;
    }
    function say(text, problem) {
      if (!status) return;
      status.textContent = text;
      status.classList.toggle("is-error", Boolean(problem));
      status.setAttribute("role", problem ? "alert" : "status");
    }

    function fill(values) {
      Object.entries(values).forEach(([name, value]) => {
        form.querySelectorAll(`[name="${name}"]`).forEach((field) => {
          if (field.type === "radio" || field.type === "checkbox") {
            field.checked = Array.isArray(value) ? value.includes(field.value) : field.value === value;
          } else if (field.type !== "file") { field.value = value; }
        });
      });
    }

    // Offer back what this browser kept from a save that did not reach the server. The
    // person chooses: the saved version may be newer work from another window.
    try {
      const kept = JSON.parse(localStorage.getItem(key) || "null");
      if (kept && kept.pending) {
        const offer = document.createElement("div");
        offer.className = "nup-flash nup-flash-info nup-restore";
        offer.setAttribute("role", "status");
        const text = document.createElement("p");
        text.textContent = t("이 브라우저에 저장되지 않은 입력 내용이 남아 있습니다. 화면의 내용은 서버에 저장된 최신본입니다.",
          "This browser kept text that was not saved. The form shows the latest saved version.");
        const restore = document.createElement("button");
        restore.type = "button";
        restore.className = "krds-btn small primary";
        restore.textContent = t("남은 내용으로 바꾸기", "Use the kept text");
        const discard = document.createElement("button");
        discard.type = "button";
        discard.className = "krds-btn small tertiary";
        discard.textContent = t("버리기", "Discard it");
        offer.append(text, restore, " ", discard);
        form.prepend(offer);
        restore.addEventListener("click", () => { fill(kept.values); offer.remove(); schedule(); });
        discard.addEventListener("click", () => { try { localStorage.removeItem(key); } catch (e) {} offer.remove(); });
      }
    } catch (e) { /* storage may be unavailable: the server copy still counts */ }

    async function save() {
      if (saving) { again = true; return; }
      saving = true;
      const data = values();
      try { localStorage.setItem(key, JSON.stringify({ pending: true, values: data })); } catch (e) {}
      say(t("저장 중…", "Saving…"));
      try {
        const response = await fetch(url, {
          method: "POST",
          headers: { "Content-Type": "application/json", "X-CSRFToken": token },
          body: JSON.stringify({ ...data, version: version ? version.value : "" }),
          credentials: "same-origin",
        });
        const body = await response.json().catch(() => ({}));
        if (response.ok) {
          if (version) version.value = body.version;
          try { localStorage.removeItem(key); } catch (e) {}
          const problems = Object.keys(body.errors || {}).length;
          say(problems
            ? t(`${body.saved_at} 저장됨 — 확인이 필요한 항목 ${problems}개`, `Saved at ${body.saved_at} — ${problems} field(s) need attention`)
            : t(`${body.saved_at}에 자동 저장됨`, `Saved automatically at ${body.saved_at}`));
        } else {
          say((body.error && body.error.message) || t("저장하지 못했습니다. 입력 내용은 이 브라우저에 보관됩니다.", "Could not save. What you typed is kept in this browser."), true);
        }
      } catch (e) {
        say(t("연결이 끊겼습니다. 입력 내용은 이 브라우저에 보관되며 다시 연결되면 저장됩니다.", "Offline. What you typed is kept in this browser and saved when the connection returns."), true);
        setTimeout(schedule, 5000);
      } finally {
        saving = false;
        if (again) { again = false; schedule(); }
      }
    }
    function schedule() { clearTimeout(timer); timer = setTimeout(save, 1500); }
    form.addEventListener("input", (event) => { if (!event.target.closest(".nup-restore")) schedule(); });
    form.addEventListener("change", (event) => { if (!event.target.closest(".nup-restore")) schedule(); });
    window.addEventListener("online", schedule);
    // A save button pressed while an autosave is on its way waits for it, and then sends
    // the version that autosave produced, so the two are not taken for a conflict.
    form.addEventListener("submit", (event) => {
      clearTimeout(timer);
      if (saving) {
        event.preventDefault();
        const submitter = event.submitter;
        const retry = setInterval(() => {
          if (!saving) { clearInterval(retry); form.requestSubmit(submitter || undefined); }
        }, 50);
        return;
      }
      try { localStorage.removeItem(key); } catch (e) {}
    });
  }

  // A form marked data-once sends once, however often its button is clicked.
  function singleSubmit() {
    document.querySelectorAll("form[data-once]").forEach((form) => {
      form.addEventListener("submit", (event) => {
        if (form.dataset.sent) { event.preventDefault(); return; }
        form.dataset.sent = "1";
        form.querySelectorAll("button[type=submit]").forEach((b) => b.setAttribute("aria-disabled", "true"));
      });
    });
  }

  function confirmations() {
    document.querySelectorAll("form[data-confirm]").forEach((form) => {
      form.addEventListener("submit", (event) => { if (!window.confirm(form.dataset.confirm)) event.preventDefault(); });
    });
    document.querySelectorAll("[data-print]").forEach((b) => b.addEventListener("click", () => window.print()));
  }

  // Say at once that a file is too large, before sending 20 MB over a slow line.
  function uploadChecks() {
    document.querySelectorAll("form.nup-upload[data-max-bytes]").forEach((form) => {
      const limit = Number(form.dataset.maxBytes);
      form.addEventListener("submit", (event) => {
        const input = form.querySelector("input[type=file]");
        const file = input && input.files && input.files[0];
        if (file && file.size > limit) {
          event.preventDefault();
          window.alert(form.dataset.tooLarge);
        }
      });
    });
  }

  // Long work (an assignment run) shows its progress and the page reloads when it is done.
  function jobProgress() {
    const box = document.querySelector("[data-status-url]");
    if (!box || !["queued", "running"].includes(box.dataset.status)) return;
    const bar = box.querySelector(".nup-progress");
    const poll = () => {
      fetch(box.dataset.statusUrl, { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then((r) => (r.ok ? r.json() : Promise.reject(r.status)))
        .then((job) => {
          const percent = Math.round((job.progress || 0) * 100);
          if (bar) { bar.value = percent; bar.textContent = percent + "%"; }
          if (!["queued", "running"].includes(job.status)) { window.location.reload(); return; }
          window.setTimeout(poll, 1500);
        })
        .catch(() => window.setTimeout(poll, 5000));
    };
    window.setTimeout(poll, 1000);
  }

  document.addEventListener("DOMContentLoaded", () => {
    focusErrors(); countdowns(); autosave(); singleSubmit(); confirmations(); uploadChecks(); jobProgress();
  });
})();
