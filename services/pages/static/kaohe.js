// Small progressive enhancements; every page works without them.
document.addEventListener("DOMContentLoaded", () => {
  // Confirm before a return (退回): it sends the letter back down the chain.
  document.querySelectorAll("button.danger").forEach((button) => {
    button.addEventListener("click", (event) => {
      if (!window.confirm("确认退回？")) event.preventDefault();
    });
  });
  // A rendering in progress: fetch its fragment every second until it is done or failed.
  const poll = (box) => {
    window.setTimeout(async () => {
      try {
        const response = await fetch(`/ui/reports/${box.dataset.report}`, { credentials: "same-origin" });
        if (!response.ok) return;
        const holder = document.createElement("div");
        holder.innerHTML = await response.text();
        const fresh = holder.firstElementChild;
        box.replaceWith(fresh);
        if (fresh.dataset.busy) poll(fresh);
      } catch (_) { poll(box); }
    }, 1000);
  };
  document.querySelectorAll("[data-report][data-busy]").forEach(poll);
});
