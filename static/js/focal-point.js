/* The picture form: click the picture to set its focal point (the fields
   below take numbers too, for keyboards). A static file, allowed by the
   content security policy. */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var img = document.querySelector(".image-preview img");
    var x = document.getElementById("id_focal_x");
    var y = document.getElementById("id_focal_y");
    if (!img || !x || !y) return;
    var box = img.closest(".image-preview");
    var marker = document.createElement("span");
    marker.className = "focal-marker";
    marker.setAttribute("aria-hidden", "true");
    box.appendChild(marker);
    function place() {
      if (x.value === "" || y.value === "") {
        marker.hidden = true;
        return;
      }
      marker.hidden = false;
      marker.style.left = img.offsetLeft + (img.width * x.value) / 100 + "px";
      marker.style.top = img.offsetTop + (img.height * y.value) / 100 + "px";
    }
    img.style.cursor = "crosshair";
    img.title = "Click the subject to set the focal point";
    img.addEventListener("click", function (event) {
      var rect = img.getBoundingClientRect();
      x.value = (((event.clientX - rect.left) / rect.width) * 100).toFixed(1);
      y.value = (((event.clientY - rect.top) / rect.height) * 100).toFixed(1);
      place();
    });
    x.addEventListener("input", place);
    y.addEventListener("input", place);
    img.addEventListener("load", place);
    window.addEventListener("resize", place);
    place();
  });
})();
