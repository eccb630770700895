/* The site menu on narrow screens (templates/base.html, static/css/commons.css).
 *
 * Loaded in <head> without `defer`: marking the page as scripted before the
 * header is drawn lets the stylesheet fold the menu away on a phone without a
 * flash of the open menu. Without this script the class is never set, the
 * button stays hidden and the menu is simply shown below the header.
 *
 * The button is a real <button> whose aria-expanded says whether the menu is
 * open; Enter and Space work as for any button, and Escape closes the menu
 * and gives the focus back to the button. */
(function () {
  "use strict";

  document.documentElement.classList.add("has-menu-script");

  function setOpen(button, menu, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    menu.classList.toggle("is-open", open);
  }

  function wire() {
    var button = document.querySelector(".menu-button[aria-controls]");
    if (!button) { return; }
    var menu = document.getElementById(button.getAttribute("aria-controls"));
    if (!menu) { return; }
    setOpen(button, menu, false);
    button.addEventListener("click", function () {
      setOpen(button, menu, button.getAttribute("aria-expanded") !== "true");
    });
    document.addEventListener("keydown", function (event) {
      if (event.key !== "Escape" || button.getAttribute("aria-expanded") !== "true") { return; }
      if (menu.contains(document.activeElement) || document.activeElement === button) {
        setOpen(button, menu, false);
        button.focus();
      }
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", wire);
  } else {
    wire();
  }
}());
