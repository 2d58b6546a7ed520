// pdf.js ships its worker without type declarations; the viewer only hands the module to pdf.js.
declare module "pdfjs-dist/build/pdf.worker.min.mjs";
