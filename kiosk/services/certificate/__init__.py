"""参保证明: issue (through the outbox) or reprint an enrolment/contribution certificate on A4, with a receipt."""

from kiosk.services.certificate.steps import (
    CertificateChoices, CertificateIntent, CertificatePrivate, CertificateRange, CertificateReady,
    CertificateScreens, CertificateView, FetchCertificate, IssueCertificate, LoadCertificateChoices,
    PrintCertificate, PrintReport, SERVICE, YEARS_FOR_ALL, certificate_view, error_report,
)

__all__ = ["CertificateChoices", "CertificateIntent", "CertificatePrivate", "CertificateRange", "CertificateReady",
           "CertificateScreens", "CertificateView", "FetchCertificate", "IssueCertificate",
           "LoadCertificateChoices", "PrintCertificate", "PrintReport", "SERVICE", "YEARS_FOR_ALL",
           "certificate_view", "error_report"]
