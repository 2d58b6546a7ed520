import { makePdf, textPage } from "../../ingest/fixtures/make-pdf";

/** Two pages: a full first page about the sterile store, and the restocking days on the second. */
export const SCHEDULE = makePdf([
  textPage([
    "Sterile store schedule",
    "",
    "The sterile store on level two is stocked by the supply team from the central warehouse.",
    "Stock levels are checked against the par list that hangs inside the store door.",
    "Items within a month of expiry are moved to the front shelf and used first by the wards.",
    "Damaged packaging means the item is no longer sterile and it is returned to the warehouse.",
    "Requests for items that are not on the par list go to the ward manager for approval.",
    "The store is locked outside staffed hours and the key is held by the site manager on duty.",
    "Temperature and humidity in the store are logged twice a day on the chart by the door.",
    "A reading outside the safe range is reported to estates and the infection control nurse.",
    "Cardboard outer boxes stay in the corridor, because they carry dust into the clean store.",
    "Shelves are wiped down weekly and the cleaning is signed for on the back of the chart.",
    "Staff new to the theatres are shown round the store by the supply team in their first week.",
  ]),
  textPage([
    "Restocking",
    "The sterile store is restocked every Tuesday and Friday before the morning theatre list.",
    "Urgent top-ups outside those days are ordered through the site manager.",
  ]),
]);
