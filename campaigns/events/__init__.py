"""In-service events: lunch-and-learns, talks, CME evenings and open houses for referral
partners; invitations with calendar files, RSVPs with a wait list, reminders,
attendance, follow-ups, and the Stark law's non-monetary compensation limit."""
